package io.crust.udt.transport;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Buffers for datagrams that wait in a connection's queue (the receive thread found the connection
 * busy and copied the datagram). Two sizes: {@value #SMALL_BYTES} bytes, enough for any datagram of a
 * 1500-byte-MTU path, and the largest datagram the endpoint accepts (loopback and jumbo paths). Each
 * size keeps up to its own number of idle buffers, so a burst as large as a connection's queue bound
 * is served without allocating; beyond that, buffers are allocated and left to the collector.
 */
final class BufferPool {
    static final int SMALL_BYTES = 2048;

    private final Size small;
    private final Size large;

    BufferPool(int largeBytes, int maxSmallRetained, int maxLargeRetained) {
        this.small = new Size(SMALL_BYTES, maxSmallRetained);
        this.large = new Size(Math.max(largeBytes, SMALL_BYTES), maxLargeRetained);
    }

    /** A copy of {@code datagram}'s position..limit, flipped for reading; the datagram is not changed. */
    ByteBuffer copyOf(ByteBuffer datagram) {
        int length = datagram.remaining();
        ByteBuffer b = (length <= SMALL_BYTES ? small : large).take();
        b.put(datagram.duplicate());
        b.flip();
        return b;
    }

    void release(ByteBuffer b) {
        (b.capacity() == SMALL_BYTES ? small : large).release(b);
    }

    private static final class Size {
        private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
        private final AtomicInteger freeCount = new AtomicInteger();
        private final int bufferBytes;
        private final int maxRetained;

        Size(int bufferBytes, int maxRetained) {
            this.bufferBytes = bufferBytes;
            this.maxRetained = maxRetained;
        }

        ByteBuffer take() {
            ByteBuffer b = free.poll();
            if (b == null) {
                return ByteBuffer.allocate(bufferBytes);
            }
            freeCount.decrementAndGet();
            b.clear();
            return b;
        }

        void release(ByteBuffer b) {
            if (freeCount.incrementAndGet() <= maxRetained) {
                free.offer(b);
            } else {
                freeCount.decrementAndGet();
            }
        }
    }
}
