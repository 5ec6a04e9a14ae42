package io.crust.udt.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The datagrams one {@link DatagramIo#receive} returned: buffers of the path ({@link DatagramIo#allocate}) owned by whoever holds the
 * socket's turn ({@link SocketTurn}) and reused for every batch, each with the address it came from. Entry {@code i < count} is valid
 * until the next receive.
 */
final class ReceivedBatch {
    final ByteBuffer[] datagrams;
    final InetSocketAddress[] sources;
    /**
     * Per entry, 0 for one datagram; else the kernel joined several datagrams of the same source into
     * the buffer, each this many bytes but the last (UDP_GRO, fast path only).
     */
    final int[] segmentBytes;
    int count;

    ReceivedBatch(DatagramIo io, int maxDatagramBytes) {
        int size = io.receiveBatchSize();
        datagrams = new ByteBuffer[size];
        sources = new InetSocketAddress[size];
        segmentBytes = new int[size];
        for (int i = 0; i < size; i++) {
            datagrams[i] = io.allocate(maxDatagramBytes);
        }
    }
}
