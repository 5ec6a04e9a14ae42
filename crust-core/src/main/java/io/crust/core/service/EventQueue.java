package io.crust.core.service;

import io.crust.core.CrustEvent;
import io.crust.core.CrustEvents;
import io.crust.core.CrustTimeoutException;
import io.crust.nat.log.RateLimitedLog;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's bounded event queue. {@link #put} waits for room (the producer, often a connection
 * reader, then stops reading: backpressure); {@link #offer} drops when full (misbehaviour reports).
 * After {@link #close()} producers never wait and events are discarded; consumers drain what is left.
 */
final class EventQueue implements CrustEvents {
    private static final Logger LOG = LoggerFactory.getLogger(EventQueue.class);
    /** Peers can produce events faster than a slow application takes them. */
    private static final RateLimitedLog droppedLog = new RateLimitedLog(LOG);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<CrustEvent> events = new ArrayDeque<>();
    private final int capacity;
    private boolean closed;
    private long dropped;

    EventQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Adds an event, waiting while the queue is full. */
    void put(CrustEvent event) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (events.size() >= capacity && !closed) {
                notFull.await();
            }
            if (!closed) {
                events.addLast(event);
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Adds an event, waiting while the queue is full; an interrupt drops it and keeps the flag. */
    void putUninterruptibly(CrustEvent event) {
        try {
            put(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("event dropped because its producer was interrupted: {}", event);
        }
    }

    /** Adds an event unless the queue is full. */
    void offer(CrustEvent event) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (events.size() >= capacity) {
                dropped++;
                droppedLog.warn("event queue full: dropped {} ({} dropped so far)", event, dropped);
                return;
            }
            events.addLast(event);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CrustEvent take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (events.isEmpty()) {
                notEmpty.await();
            }
            notFull.signal();
            return events.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CrustEvent take(Duration timeout) throws CrustTimeoutException, InterruptedException {
        long remaining = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (events.isEmpty()) {
                if (remaining <= 0) {
                    throw new CrustTimeoutException("no event within " + timeout.toMillis() + " ms");
                }
                remaining = notEmpty.awaitNanos(remaining);
            }
            notFull.signal();
            return events.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<CrustEvent> drain() {
        lock.lock();
        try {
            List<CrustEvent> all = new ArrayList<>(events);
            events.clear();
            notFull.signalAll();
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** Producers stop waiting; further events are discarded. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
