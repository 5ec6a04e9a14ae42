package io.crust.udt.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The datagrams one {@link DatagramIo#receive} returned: direct buffers owned by the receive thread
 * and reused for every batch, each with the address it came from. Entry {@code i < count} is valid
 * until the next receive.
 */
final class ReceivedBatch {
    final ByteBuffer[] datagrams;
    final InetSocketAddress[] sources;
    int count;

    ReceivedBatch(int size, int maxDatagramBytes) {
        datagrams = new ByteBuffer[size];
        sources = new InetSocketAddress[size];
        for (int i = 0; i < size; i++) {
            datagrams[i] = ByteBuffer.allocateDirect(maxDatagramBytes);
        }
    }
}
