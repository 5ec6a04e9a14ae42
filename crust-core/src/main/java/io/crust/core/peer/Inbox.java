package io.crust.core.peer;

import io.crust.core.CrustException;
import io.crust.core.CrustTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue of one peer's received messages, for {@link io.crust.core.Peer#receive}. The
 * connection's reader {@link #put}s and waits while it is full: it then stops reading that connection,
 * so the peer's transport flow control slows that peer alone. After {@link #close} the reader's messages
 * are discarded and never waited for; the application still drains what arrived before.
 */
final class Inbox {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<byte[]> messages = new ArrayDeque<>();
    private final int capacity;
    private String closedBecause;

    Inbox(int capacity) {
        this.capacity = capacity;
    }

    /** Adds a message, waiting while the inbox is full; false if it was closed (the message is dropped). */
    boolean put(byte[] message) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (messages.size() >= capacity && closedBecause == null) {
                notFull.await();
            }
            if (closedBecause != null) {
                return false;
            }
            messages.addLast(message);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next message, waiting up to {@code timeoutNanos} (negative: no limit).
     *
     * @throws CrustTimeoutException if none came in time
     * @throws CrustException if the inbox is closed and empty
     */
    byte[] take(long timeoutNanos, String what) throws CrustException, InterruptedException {
        long remaining = timeoutNanos;
        lock.lockInterruptibly();
        try {
            while (messages.isEmpty()) {
                if (closedBecause != null) {
                    throw new CrustException(closedBecause);
                }
                if (timeoutNanos < 0) {
                    notEmpty.await();
                } else if (remaining <= 0) {
                    throw new CrustTimeoutException("no message from " + what + " within "
                            + java.time.Duration.ofNanos(timeoutNanos).toMillis() + " ms");
                } else {
                    remaining = notEmpty.awaitNanos(remaining);
                }
            }
            notFull.signal();
            return messages.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Messages waiting now. */
    int size() {
        lock.lock();
        try {
            return messages.size();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the inbox; the first reason given is kept. */
    void close(String because) {
        lock.lock();
        try {
            if (closedBecause == null) {
                closedBecause = because;
            }
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
