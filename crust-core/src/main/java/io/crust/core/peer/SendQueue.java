package io.crust.core.peer;

import io.crust.core.CrustException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outgoing messages of one connection, already encoded, in three lanes taken in this order:
 * control (heartbeats, rendezvous, gossip: never blocks its producer, bounded), HIGH application
 * messages (producers block while full) and LOW ones (never block; the oldest is dropped when full,
 * and any older than {@code lowMaxAgeNanos} is dropped when its turn comes).
 */
public final class SendQueue {
    private static final int MAX_CONTROL = 1024;

    private record Stamped(byte[] bytes, long enqueuedNanos) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<byte[]> control = new ArrayDeque<>();
    private final ArrayDeque<byte[]> high = new ArrayDeque<>();
    private final ArrayDeque<Stamped> low = new ArrayDeque<>();
    private final int capacity;
    private final long lowMaxAgeNanos;
    private boolean closed;
    private boolean sealed;
    private long lowDropped;

    public SendQueue(int capacity, long lowMaxAgeNanos) {
        this.capacity = capacity;
        this.lowMaxAgeNanos = lowMaxAgeNanos;
    }

    /** Adds a HIGH message, waiting while the lane is full. */
    public void putHigh(byte[] message) throws CrustException, InterruptedException {
        lock.lockInterruptibly();
        try {
            while (high.size() >= capacity && !closed && !sealed) {
                notFull.await();
            }
            requireOpen();
            high.addLast(message);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Adds a LOW message without waiting; the oldest LOW message makes room if needed. */
    public void putLow(byte[] message, long nowNanos) throws CrustException {
        lock.lock();
        try {
            requireOpen();
            if (low.size() >= capacity) {
                low.removeFirst();
                lowDropped++;
            }
            low.addLast(new Stamped(message, nowNanos));
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends a small message behind the HIGH lane without waiting, so that it cannot overtake the data
     * queued before it (a relay circuit's close). It may exceed the lane's capacity, by at most
     * {@link #MAX_CONTROL}; false if the queue is closed or sealed or that margin is used up.
     */
    public boolean offerAfterHigh(byte[] message) {
        lock.lock();
        try {
            if (closed || sealed || high.size() >= capacity + MAX_CONTROL) {
                return false;
            }
            high.addLast(message);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Adds a control message without waiting; false if the queue is closed or the control lane is full. */
    public boolean offerControl(byte[] message) {
        lock.lock();
        try {
            if (closed || sealed || control.size() >= MAX_CONTROL) {
                return false;
            }
            control.addLast(message);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next message to send, waiting up to {@code timeoutNanos}; null on timeout, or when the queue
     * is closed, or sealed and drained.
     */
    public byte[] take(long timeoutNanos, long nowNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long remaining = timeoutNanos;
            while (!closed) {
                if (!control.isEmpty()) {
                    return control.removeFirst();
                }
                if (!high.isEmpty()) {
                    notFull.signal();
                    return high.removeFirst();
                }
                while (!low.isEmpty()) {
                    Stamped s = low.removeFirst();
                    if (nowNanos - s.enqueuedNanos() <= lowMaxAgeNanos) {
                        return s.bytes();
                    }
                    lowDropped++;
                }
                if (sealed || remaining <= 0) {
                    return null;
                }
                remaining = notEmpty.awaitNanos(remaining);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new messages but lets the writer drain what is queued (a retiring connection). */
    public void seal() {
        lock.lock();
        try {
            sealed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Drops everything and wakes every waiter. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            control.clear();
            high.clear();
            low.clear();
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** LOW messages dropped so far because they were stale or displaced. */
    public long lowDropped() {
        lock.lock();
        try {
            return lowDropped;
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() throws CrustException {
        if (closed || sealed) {
            throw new CrustException("connection is closed");
        }
    }
}
