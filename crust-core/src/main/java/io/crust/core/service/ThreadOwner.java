package io.crust.core.service;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Owner of the node's short-lived and service threads (accept loops, handshakes, dials, bootstrap,
 * the ticker): every one is a named virtual thread registered here, and {@link #close()} interrupts
 * those still running. Connection threads belong to their {@code PeerConnection} instead.
 */
final class ThreadOwner {
    /** Numbers the tasks started with {@link #startNumbered}, across nodes. */
    private static final AtomicLong TASKS = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private boolean closed;

    /** Starts a virtual thread; false if the owner is closed. */
    boolean start(String name, Runnable task) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            Thread thread = Thread.ofVirtual().name(name).unstarted(() -> {
                try {
                    task.run();
                } finally {
                    running.remove(Thread.currentThread());
                }
            });
            running.add(thread);
            thread.start();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #start}, naming the thread {@code name-N} with a serial number. */
    boolean startNumbered(String name, Runnable task) {
        return start(name + "-" + TASKS.incrementAndGet(), task);
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new threads and interrupts the running ones. */
    void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        for (Thread t : running) {
            t.interrupt();
        }
    }

    /** Waits for the interrupted threads to end, up to the deadline. */
    void awaitTermination(long deadlineNanos) throws InterruptedException {
        for (Thread t : running) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            t.join(java.time.Duration.ofNanos(left));
        }
    }
}
