package io.crust.core.frame;

import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
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
    /** Closed after the connection: the endpoint of a connection that has a socket of its own, or null. */
    private final UdtEndpoint ownEndpoint;
    private final ReentrantLock writeLock = new ReentrantLock();

    /** Frames of up to 65535 bytes (the largest Noise message) on an established connection. */
    public UdtFrameTransport(UdtConnection connection) {
        this(connection, TcpFrameTransport.MAX_FRAME_BYTES);
    }

    /** Frames of up to {@code maxFrameBytes} (1 to 65535); the transport owns the connection from now on. */
    public UdtFrameTransport(UdtConnection connection, int maxFrameBytes) {
        this(connection, maxFrameBytes, null);
    }

    /**
     * Frames on the only connection of {@code endpoint} (a socket kept from birthday punching): closing the
     * transport closes the endpoint too.
     */
    public static UdtFrameTransport owningEndpoint(UdtConnection connection, UdtEndpoint endpoint) {
        return new UdtFrameTransport(connection, TcpFrameTransport.MAX_FRAME_BYTES, endpoint);
    }

    private UdtFrameTransport(UdtConnection connection, int maxFrameBytes, UdtEndpoint ownEndpoint) {
        if (maxFrameBytes < 1 || maxFrameBytes > TcpFrameTransport.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be 1.." + TcpFrameTransport.MAX_FRAME_BYTES
                    + ", got " + maxFrameBytes);
        }
        this.connection = connection;
        this.maxFrameBytes = maxFrameBytes;
        this.ownEndpoint = ownEndpoint;
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
        } finally {
            if (ownEndpoint != null) {
                ownEndpoint.close();
            }
        }
    }

    @Override
    public String toString() {
        return "UdtFrameTransport[" + connection + "]";
    }
}
