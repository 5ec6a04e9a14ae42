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
    public static final long SWITCH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition switched = lock.newCondition();
    private final PeerId id;
    private final int maxMessageBytes;
    private final Consumer<PeerHandle> closer;
    private final long switchWaitNanos;
    /** Null when messages go to the node's events ({@link io.crust.core.MessageDelivery#EVENTS}). */
    private final Inbox inbox;
    private volatile PeerConnection current;
    private volatile boolean open = true;

    /**
     * @param inboxMessages capacity of the peer's inbox for {@link #receive}; 0 when messages go to the
     *     node's events instead
     * @param closer asked by {@link #close()} to close every connection of this peer
     */
    /**
     * @param switchWaitNanos how long a send waits for the next connection (at least {@link #SWITCH_WAIT_NANOS};
     *     longer when a broken connection may take longer to be continued)
     */
    public PeerHandle(PeerConnection first, int maxMessageBytes, int inboxMessages, Consumer<PeerHandle> closer,
            long switchWaitNanos) {
        this.id = first.remote();
        this.current = first;
        this.maxMessageBytes = maxMessageBytes;
        this.inbox = inboxMessages > 0 ? new Inbox(inboxMessages) : null;
        this.closer = closer;
        this.switchWaitNanos = switchWaitNanos;
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

    /**
     * Marks the handle closed (the peer is gone or was dropped); {@code why} is what {@link #receive}
     * reports once the inbox is drained.
     */
    public void markClosed(String why) {
        lock.lock();
        try {
            open = false;
            switched.signalAll();
        } finally {
            lock.unlock();
        }
        if (inbox != null) {
            inbox.close("peer " + id.shortForm() + " is gone: " + why);
        }
    }

    /**
     * Hands a received message to the application's {@link #receive}, waiting while the inbox is full
     * (called on the connection's reader thread, which then reads nothing more from the peer). False if
     * the handle is closed, in which case the message is dropped with the connection.
     */
    public boolean deliver(byte[] message) throws InterruptedException {
        return inbox.put(message);
    }

    /** Messages waiting in the inbox (0 when messages go to the node's events). */
    public int inboxSize() {
        return inbox == null ? 0 : inbox.size();
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
        long deadline = System.nanoTime() + switchWaitNanos;
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
                                + TimeUnit.NANOSECONDS.toSeconds(switchWaitNanos) + " s");
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
    public byte[] receive(java.time.Duration timeout) throws CrustException, InterruptedException {
        long nanos = timeout.toNanos();
        if (nanos < 0) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return inboxOrRefuse().take(nanos, id.shortForm());
    }

    @Override
    public byte[] receive() throws CrustException, InterruptedException {
        return inboxOrRefuse().take(-1, id.shortForm());
    }

    private Inbox inboxOrRefuse() {
        if (inbox == null) {
            throw new IllegalStateException("this node delivers messages as events (MessageDelivery.EVENTS); "
                    + "configure MessageDelivery.PER_PEER to receive per peer");
        }
        return inbox;
    }

    @Override
    public void close() {
        if (open) {
            closer.accept(this); // the table ends the handle (markClosedByApplication) and its connections
        }
    }

    /**
     * The application closed this peer. The peer table calls this under its lock, together with taking
     * the list of connections that end with it: a connection that registers afterwards starts a new
     * handle and is not among them. (When the handle closed itself first, a late connection could
     * start a new handle in between and then be closed with the old one, without a word: the
     * application had been told of a new peer that then silently vanished.) False if it was closed
     * already.
     */
    public boolean markClosedByApplication() {
        lock.lock();
        try {
            if (!open) {
                return false;
            }
            open = false;
            switched.signalAll();
        } finally {
            lock.unlock();
        }
        if (inbox != null) {
            inbox.close("peer " + id.shortForm() + " was closed by the application");
        }
        return true;
    }

    @Override
    public String toString() {
        return "Peer[" + id.shortForm() + " " + transport() + " " + route() + "]";
    }
}
