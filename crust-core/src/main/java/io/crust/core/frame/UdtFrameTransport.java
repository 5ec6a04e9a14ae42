package io.crust.core.frame;

import io.crust.udt.UdtConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames on a crust-udt connection: one frame is one UDT message, so UDT's own message length
 * prefix does the framing. Create the {@code UdtEndpoint} with
 * {@code UdtConfig.maxMessageBytes(TcpFrameTransport.MAX_FRAME_BYTES)} so that crust-udt itself
 * refuses longer announced messages before allocating them; this class checks again.
 */
public final class UdtFrameTransport implements FrameTransport {
    private final UdtConnection connection;
    private final int maxFrameBytes;
    private final ReentrantLock writeLock = new ReentrantLock();

    /** Frames of up to 65535 bytes (the largest Noise message) on an established connection. */
    public UdtFrameTransport(UdtConnection connection) {
        this(connection, TcpFrameTransport.MAX_FRAME_BYTES);
    }

    /** Frames of up to {@code maxFrameBytes} (1 to 65535); the transport owns the connection from now on. */
    public UdtFrameTransport(UdtConnection connection, int maxFrameBytes) {
        if (maxFrameBytes < 1 || maxFrameBytes > TcpFrameTransport.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be 1.." + TcpFrameTransport.MAX_FRAME_BYTES
                    + ", got " + maxFrameBytes);
        }
        this.connection = connection;
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void writeFrame(byte[] frame, int offset, int length) throws IOException {
        if (length < 0 || length > maxFrameBytes) {
            throw new IllegalArgumentException("frame of " + length + " bytes; the limit is " + maxFrameBytes);
        }
        // crust-udt takes ownership of the array it is given, so it gets a copy.
        byte[] message = Arrays.copyOfRange(frame, offset, offset + length);
        writeLock.lock();
        try {
            connection.send(message);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public byte[] readFrame() throws IOException {
        byte[] frame = connection.receive();
        if (frame.length > maxFrameBytes) {
            throw new FrameTooLargeException(frame.length, maxFrameBytes);
        }
        return frame;
    }

    @Override
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /** Graceful close (delivers what was sent, bounded by the UDT close timeout); aborts if that fails. */
    @Override
    public void close() throws IOException {
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            connection.abort();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "UdtFrameTransport[" + connection + "]";
    }
}
