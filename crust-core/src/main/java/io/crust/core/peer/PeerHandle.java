package io.crust.core.peer;

import io.crust.core.CrustException;
import io.crust.core.Peer;
import io.crust.core.PeerId;
import io.crust.core.Priority;
import io.crust.core.Route;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The application's {@link Peer}: one per connected peer id, pointing at the current best connection.
 * The node's peer table moves it to a better connection ({@link #switchTo}) and ends it when the last
 * connection is gone.
 */
public final class PeerHandle implements Peer {
    /**
     * How long a send waits for the next connection when the current one is being retired and the
     * better one has not finished registering here yet (the remote may know it a moment earlier).
     */
    private static final long SWITCH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition switched = lock.newCondition();
    private final PeerId id;
    private final int maxMessageBytes;
    private final Consumer<PeerHandle> closer;
    private volatile PeerConnection current;
    private volatile boolean open = true;

    /**
     * @param closer asked by {@link #close()} to close every connection of this peer
     */
    public PeerHandle(PeerConnection first, int maxMessageBytes, Consumer<PeerHandle> closer) {
        this.id = first.remote();
        this.current = first;
        this.maxMessageBytes = maxMessageBytes;
        this.closer = closer;
    }

    public PeerConnection current() {
        return current;
    }

    /** Moves the handle to another connection to the same peer. */
    public void switchTo(PeerConnection connection) {
        lock.lock();
        try {
            current = connection;
            switched.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the handle closed (the peer is gone or was dropped). */
    public void markClosed() {
        lock.lock();
        try {
            open = false;
            switched.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public PeerId id() {
        return id;
    }

    @Override
    public Transport transport() {
        return current.transport();
    }

    @Override
    public Route route() {
        return current.route();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return current.remoteAddress();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void send(byte[] message, Priority priority) throws CrustException {
        if (message.length > maxMessageBytes) {
            throw new CrustException("message of " + message.length + " bytes exceeds maxMessageBytes " + maxMessageBytes);
        }
        // A connection being retired refuses new messages: wait for the table to move us on.
        long deadline = System.nanoTime() + SWITCH_WAIT_NANOS;
        try {
            while (true) {
                if (!open) {
                    throw new CrustException("peer " + id.shortForm() + " is not connected");
                }
                PeerConnection connection = current;
                try {
                    connection.sendApp(message, priority);
                    return;
                } catch (CrustException refused) {
                    if (!awaitSwitchFrom(connection, deadline)) {
                        throw new CrustException("connection to " + id.shortForm() + " is closed and no other came up within "
                                + TimeUnit.NANOSECONDS.toSeconds(SWITCH_WAIT_NANOS) + " s");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrustException("interrupted while sending to " + id.shortForm());
        }
    }

    /** Waits until the handle leaves {@code old} or closes; false at the deadline. */
    private boolean awaitSwitchFrom(PeerConnection old, long deadlineNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (current == old && open) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                switched.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            closer.accept(this);
        }
    }

    @Override
    public String toString() {
        return "Peer[" + id.shortForm() + " " + transport() + " " + route() + "]";
    }
}
