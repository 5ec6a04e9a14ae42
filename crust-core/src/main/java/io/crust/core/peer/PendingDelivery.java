package io.crust.core.peer;

import io.crust.core.wire.WireMessage;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Messages of one connection that wait for its turn (duplicate settling, see docs/connection-group.md):
 * while an older connection of the same peer still delivers what the peer sent first, this
 * connection's messages are queued here, in order, and handed over by a short-lived thread
 * ({@code crust-peer-N-turn}) once the turn comes. The connection's reader meanwhile keeps reading,
 * so heartbeats still count and a peer that falls silent during the wait is noticed within the
 * heartbeat timeout. (The reader used to block in the wait itself; its silence then went unseen,
 * and the wait exempted it from the heartbeat check.)
 *
 * <p>Bounded by bytes: when the queue is full, the reader blocks until it drains, which pushes back
 * on the sender as a slow application does.
 */
final class PendingDelivery {
    /** Hands one message on, in order; returns a close cause to end the connection, or null. */
    @FunctionalInterface
    interface Handover {
        CloseCause deliver(WireMessage message) throws InterruptedException;
    }

    private record Pending(WireMessage message, int bytes) {
    }

    private final String threadName;
    private final long maxBytes;
    private final ConnectionHandler handler;
    private final PeerConnection connection;
    private final Handover handover;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedBytes;
    private Thread deliverer;
    private boolean turnReached;
    private volatile boolean readerBlocked;

    PendingDelivery(String threadName, long maxBytes, ConnectionHandler handler, PeerConnection connection,
            Handover handover) {
        this.threadName = threadName;
        this.maxBytes = maxBytes;
        this.handler = handler;
        this.connection = connection;
        this.handover = handover;
    }

    /**
     * Called by the reader for each message. Returns false when the reader may hand {@code message}
     * over itself, now; true when it was queued behind the turn (blocking while the queue is full).
     */
    boolean queueIfWaiting(WireMessage message, int bytes) throws InterruptedException {
        lock.lock();
        try {
            if (deliverer == null) {
                if (turnReached || !(message instanceof WireMessage.App) || handler.mayDeliverNow(connection)) {
                    turnReached |= message instanceof WireMessage.App;
                    return false;
                }
                deliverer = Thread.ofVirtual().name(threadName).start(this::deliverInTurn);
            }
            while (queuedBytes > 0 && queuedBytes + bytes > maxBytes && deliverer != null) {
                readerBlocked = true;
                try {
                    drained.await();
                } finally {
                    readerBlocked = false;
                }
            }
            if (deliverer == null) {
                return false; // drained and the turn came while we waited for room
            }
            queue.addLast(new Pending(message, bytes));
            queuedBytes += bytes;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** True while the reader waits for room: the application, not the peer, is what is slow. */
    boolean readerBlocked() {
        return readerBlocked;
    }

    /** After the connection closed: waits until the queued messages are handed over. */
    void awaitDrained() throws InterruptedException {
        Thread t;
        lock.lock();
        try {
            t = deliverer;
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            t.join();
        }
    }

    private void deliverInTurn() {
        try {
            handler.awaitTurn(connection);
            while (true) {
                Pending next;
                lock.lock();
                try {
                    turnReached = true;
                    next = queue.pollFirst();
                    if (next == null) {
                        deliverer = null;
                        drained.signalAll();
                        return;
                    }
                    queuedBytes -= next.bytes();
                    drained.signalAll();
                } finally {
                    lock.unlock();
                }
                CloseCause end = handover.deliver(next.message());
                if (end != null) {
                    connection.close(end);
                }
            }
        } catch (InterruptedException e) {
            lock.lock();
            try {
                queue.clear();
                queuedBytes = 0;
                deliverer = null;
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
