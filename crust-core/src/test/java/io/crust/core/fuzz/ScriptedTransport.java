package io.crust.core.fuzz;

import io.crust.core.frame.FrameTransport;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** A peer that has already said everything: reads return the scripted frames, then end of stream. */
final class ScriptedTransport implements FrameTransport {
    static final int MAX_FRAME_BYTES = 65_535;
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);

    private final Deque<byte[]> frames;
    private long bytesWritten;
    private boolean closed;

    ScriptedTransport(List<byte[]> frames) {
        this.frames = new ArrayDeque<>(frames);
    }

    @Override
    public void writeFrame(byte[] frame, int offset, int length) throws IOException {
        if (length > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame of " + length + " bytes");
        }
        if (closed) {
            throw new IOException("closed");
        }
        bytesWritten += length;
    }

    @Override
    public byte[] readFrame() throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        byte[] next = frames.poll();
        if (next == null) {
            throw new EOFException("script ended");
        }
        return next;
    }

    @Override
    public int maxFrameBytes() {
        return MAX_FRAME_BYTES;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return PEER;
    }

    @Override
    public void close() {
        closed = true;
    }

    long bytesWritten() {
        return bytesWritten;
    }
}
