package io.crust.core.frame;

import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames on a TCP stream, each preceded by its length as a 16-bit big-endian integer, the framing
 * the Noise specification (revision 34, section 13) suggests; a Noise message is at most 65535 bytes.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         length (N)            |   frame bytes (N bytes) ...   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                              ...                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>The length is checked against {@link #maxFrameBytes()} before any buffer for the frame is
 * allocated. The end of the stream between two frames is a clean close ({@link EOFException});
 * an end inside a frame is a truncated frame (also an {@link EOFException}, with another message).
 */
public final class TcpFrameTransport implements FrameTransport {
    /** Length of the frame header in bytes. */
    public static final int HEADER_BYTES = 2;
    private static final int READ_BUFFER_BYTES = 8 * 1024;
    /** The largest frame a 16-bit length can announce, and the largest Noise message. */
    public static final int MAX_FRAME_BYTES = 65535;

    private final Socket socket;
    private final int maxFrameBytes;
    private final FrameReader in;
    private final OutputStream out;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Grows to the largest frame written; starts small so an idle connection holds little (F5). */
    private byte[] writeBuffer = new byte[512];

    /**
     * Frames on a connected socket; the transport owns the socket from now on and closes it.
     *
     * @param maxFrameBytes the largest frame sent or accepted, 1 to 65535
     */
    public TcpFrameTransport(Socket socket, int maxFrameBytes) throws IOException {
        if (maxFrameBytes < 1 || maxFrameBytes > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be 1.." + MAX_FRAME_BYTES + ", got " + maxFrameBytes);
        }
        this.socket = socket;
        this.maxFrameBytes = maxFrameBytes;
        socket.setTcpNoDelay(true);
        // The read buffer starts small (an idle connection holds 8 KiB, not 64: F5) and grows to the
        // largest frame that arrives.
        this.in = new FrameReader(socket.getInputStream(), maxFrameBytes, READ_BUFFER_BYTES, socket.getRemoteSocketAddress());
        this.out = socket.getOutputStream();
    }

    @Override
    public void writeFrame(byte[] frame, int offset, int length) throws IOException {
        if (length < 0 || length > maxFrameBytes) {
            throw new IllegalArgumentException("frame of " + length + " bytes; the limit is " + maxFrameBytes);
        }
        writeLock.lock();
        try {
            // One write per frame: header and body leave in the same segment when they fit.
            if (writeBuffer.length < HEADER_BYTES + length) {
                writeBuffer = new byte[Math.max(HEADER_BYTES + length, Math.min(writeBuffer.length * 2, HEADER_BYTES + maxFrameBytes))];
            }
            writeBuffer[0] = (byte) (length >>> 8);
            writeBuffer[1] = (byte) length;
            System.arraycopy(frame, offset, writeBuffer, HEADER_BYTES, length);
            out.write(writeBuffer, 0, HEADER_BYTES + length);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public byte[] readFrame() throws IOException {
        Frame frame = nextFrame();
        return Arrays.copyOfRange(frame.array(), frame.offset(), frame.offset() + frame.length());
    }

    /** The next frame as a view of the transport's read buffer, valid until the next read. */
    @Override
    public Frame nextFrame() throws IOException {
        readLock.lock();
        try {
            return in.next();
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "TcpFrameTransport[" + socket.getLocalSocketAddress() + " -> " + socket.getRemoteSocketAddress() + "]";
    }
}
