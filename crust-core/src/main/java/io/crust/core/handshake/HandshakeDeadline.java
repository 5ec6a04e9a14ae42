package io.crust.core.handshake;

import io.crust.core.frame.FrameTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds a handshake in time: a virtual thread that closes the transport when the deadline passes
 * (which unblocks the handshake's read), unless {@link #close()} came first. The handshake that
 * creates it owns it and closes it in a finally block.
 */
final class HandshakeDeadline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeDeadline.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private final Thread thread;
    private boolean done;
    private boolean expired;

    private HandshakeDeadline(FrameTransport transport, Duration timeout) {
        long id = IDS.incrementAndGet();
        thread = Thread.ofVirtual().name("crust-handshake-deadline-" + id).start(() -> await(transport, timeout));
    }

    static HandshakeDeadline start(FrameTransport transport, Duration timeout) {
        return new HandshakeDeadline(transport, timeout);
    }

    private void await(FrameTransport transport, Duration timeout) {
        long remainingNanos = timeout.toNanos();
        lock.lock();
        try {
            while (!done && remainingNanos > 0) {
                remainingNanos = finished.awaitNanos(remainingNanos);
            }
            if (done) {
                return;
            }
            expired = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            lock.unlock();
        }
        LOG.debug("handshake with {} timed out after {}", transport.remoteAddress(), timeout);
        try {
            transport.close();
        } catch (IOException e) {
            LOG.debug("closing {} after handshake timeout failed: {}", transport, e.toString());
        }
    }

    /** True if the deadline passed and the transport was (or is being) closed. */
    boolean expired() {
        lock.lock();
        try {
            return expired;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the deadline thread and waits for it briefly; idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            done = true;
            finished.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
