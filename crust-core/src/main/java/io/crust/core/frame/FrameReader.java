package io.crust.core.frame;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads length-prefixed frames ({@link TcpFrameTransport}'s format) from a stream into a buffer of its
 * own and hands each out as a {@link Frame} view of that buffer, valid until the next read. One
 * {@code read} call takes whatever the stream has (several small frames, or a large frame's bulk),
 * so there is no per-frame allocation, no second copy and no {@code available()} probe per read, as
 * a {@code BufferedInputStream} under a {@code DataInputStream} had.
 *
 * <p>The buffer starts at {@code initialBytes} and grows to the largest frame that arrived (at most
 * {@code maxFrameBytes} plus its header): an idle connection keeps a small one. The announced length
 * is checked against {@code maxFrameBytes} before the buffer grows for it. Not thread-safe: one reader.
 */
final class FrameReader {
    private final InputStream in;
    private final int maxFrameBytes;
    private final Object remote;
    private byte[] buffer;
    /** Unread bytes are {@code buffer[start, end)}. */
    private int start;
    private int end;

    /** @param remote names the peer in error messages */
    FrameReader(InputStream in, int maxFrameBytes, int initialBytes, Object remote) {
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
        this.remote = remote;
        this.buffer = new byte[Math.max(TcpFrameTransport.HEADER_BYTES, initialBytes)];
    }

    /**
     * The next frame, a view of the buffer valid until the next call.
     *
     * @throws EOFException if the stream ends between frames (a clean close) or inside one (a truncated frame)
     * @throws FrameTooLargeException if the announced length exceeds the limit
     */
    Frame next() throws IOException {
        if (!fill(TcpFrameTransport.HEADER_BYTES)) {
            throw new EOFException(end == start ? "connection closed by " + remote
                    : "connection closed by " + remote + " inside a frame header");
        }
        int length = ((buffer[start] & 0xff) << 8) | (buffer[start + 1] & 0xff);
        if (length > maxFrameBytes) {
            throw new FrameTooLargeException(length, maxFrameBytes);
        }
        if (!fill(TcpFrameTransport.HEADER_BYTES + length)) {
            throw new EOFException("connection closed by " + remote + " inside a frame of " + length + " bytes");
        }
        Frame frame = new Frame(buffer, start + TcpFrameTransport.HEADER_BYTES, length);
        start += TcpFrameTransport.HEADER_BYTES + length;
        return frame;
    }

    /** Bytes read ahead of the frames handed out (for tests). */
    int buffered() {
        return end - start;
    }

    /** Reads until {@code n} unread bytes are buffered; false if the stream ended first. */
    private boolean fill(int n) throws IOException {
        if (end - start >= n) {
            return true;
        }
        if (start == end) {
            start = 0;
            end = 0;
        }
        if (buffer.length - start < n) {
            byte[] target = buffer.length >= n ? buffer : new byte[Math.max(n, Math.min(buffer.length * 2,
                    TcpFrameTransport.HEADER_BYTES + maxFrameBytes))];
            System.arraycopy(buffer, start, target, 0, end - start);
            end -= start;
            start = 0;
            buffer = target;
        }
        while (end - start < n) {
            int r = in.read(buffer, end, buffer.length - end);
            if (r < 0) {
                return false;
            }
            end += r;
        }
        return true;
    }
}
