package io.crust.udt.transport;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers for received datagrams, reused so that the receive path does not allocate per
 * datagram. The receive loop takes a buffer, fills it and hands it to a connection, which gives it
 * back once processed. At most {@code maxRetained} idle buffers are kept.
 */
final class BufferPool {
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger freeCount = new AtomicInteger();
    private final int bufferBytes;
    private final int maxRetained;

    BufferPool(int bufferBytes, int maxRetained) {
        this.bufferBytes = bufferBytes;
        this.maxRetained = maxRetained;
    }

    ByteBuffer take() {
        ByteBuffer b = free.poll();
        if (b == null) {
            return ByteBuffer.allocateDirect(bufferBytes);
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
