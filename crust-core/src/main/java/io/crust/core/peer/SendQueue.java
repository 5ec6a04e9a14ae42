package io.crust.core.peer;

import io.crust.core.CrustException;
import io.crust.core.wire.WireCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outgoing messages of one connection, already encoded, in three lanes taken in this order:
 * control (heartbeats, rendezvous, gossip: never blocks its producer, bounded), HIGH application
 * messages (producers block while full) and LOW ones (never block; the oldest is dropped when full,
 * and any older than {@code lowMaxAgeNanos} is dropped when its turn comes).
 *
 * <p>For resumption (docs/connection-group.md) the queue also keeps every APP message the writer has
 * taken until the peer acknowledges it ({@link #acknowledge}), and when it closes, the APP messages it
 * still held. {@link #resendFrom} then hands the new connection what the peer has not delivered, in the
 * order the writer sent it. Bounded: past {@link #MAX_UNACKED_BYTES} or {@link #MAX_UNACKED_MESSAGES}
 * unacknowledged, the queue stops keeping them and the connection can no longer be resumed.
 */
public final class SendQueue {
    private static final int MAX_CONTROL = 1024;
    /** Unacknowledged APP bytes kept for a resumption; a connection that sends more cannot be resumed. */
    static final long MAX_UNACKED_BYTES = 8L << 20;
    /** Unacknowledged APP messages kept for a resumption. */
    static final int MAX_UNACKED_MESSAGES = 4096;

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
    /** APP messages taken by the writer, sent or being sent; the peer's ACKs count the same messages. */
    private long appTaken;
    /** How many of them the peer said it delivered; {@code unacked} holds the rest while resumable. */
    private long acked;
    private final ArrayDeque<byte[]> unacked = new ArrayDeque<>();
    private long unackedBytes;
    /** The APP messages still queued when the queue closed, in the order the writer would have taken them. */
    private final List<byte[]> leftover = new ArrayList<>();
    private boolean resumable = true;

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
                    return taken(high.removeFirst());
                }
                while (!low.isEmpty()) {
                    Stamped s = low.removeFirst();
                    if (nowNanos - s.enqueuedNanos() <= lowMaxAgeNanos) {
                        return taken(s.bytes());
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

    /** Counts an APP message the writer takes and keeps it until acknowledged. Under the lock. */
    private byte[] taken(byte[] message) {
        if (!WireCodec.isApp(message)) {
            return message;
        }
        appTaken++;
        if (resumable) {
            unacked.addLast(message);
            unackedBytes += message.length;
            if (unackedBytes > MAX_UNACKED_BYTES || unacked.size() > MAX_UNACKED_MESSAGES) {
                stopKeeping();
            }
        }
        return message;
    }

    private void stopKeeping() {
        resumable = false;
        unacked.clear();
        unackedBytes = 0;
        leftover.clear();
    }

    /**
     * The peer has delivered {@code delivered} of the APP messages taken so far: forget those. False if
     * it claims more than were taken (a protocol violation); a count below an earlier one changes nothing.
     */
    public boolean acknowledge(long delivered) {
        lock.lock();
        try {
            if (delivered > appTaken) {
                return false;
            }
            while (acked < delivered) {
                acked++;
                byte[] gone = unacked.pollFirst();
                if (gone != null) {
                    unackedBytes -= gone.length;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** True while the queue keeps what a resumption needs (see the class comment). */
    public boolean resumable() {
        lock.lock();
        try {
            return resumable;
        } finally {
            lock.unlock();
        }
    }

    /**
     * After {@link #close}: the APP messages the peer has not delivered when it says it delivered
     * {@code delivered}, in sending order (taken but unacknowledged first, then those still queued at
     * the close). Empty if they were not kept, or {@code delivered} does not fit what was sent. Hands them
     * over once: the queue forgets them.
     */
    public Optional<List<byte[]>> resendFrom(long delivered) {
        lock.lock();
        try {
            if (!closed || !resumable || delivered < acked || delivered > appTaken) {
                return Optional.empty();
            }
            List<byte[]> resend = new ArrayList<>(unacked.size() + leftover.size());
            long skip = delivered - acked;
            for (byte[] message : unacked) {
                if (skip-- <= 0) {
                    resend.add(message);
                }
            }
            resend.addAll(leftover);
            stopKeeping();
            return Optional.of(resend);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts the messages a failed connection did not deliver ({@link #resendFrom}) before everything
     * queued, ahead of HIGH and LOW, beyond the lane's capacity (they are bounded by the failed queue's
     * limits). False if this queue is closed or sealed.
     */
    public boolean prependResent(List<byte[]> messages) {
        lock.lock();
        try {
            if (closed || sealed) {
                return false;
            }
            for (int i = messages.size() - 1; i >= 0; i--) {
                high.addFirst(messages.get(i));
            }
            if (!messages.isEmpty()) {
                notEmpty.signal();
            }
            return true;
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

    /**
     * Drops everything but the APP messages a resumption may resend (see the class comment; LOW ones
     * older than their age limit at {@code nowNanos} are dropped too) and wakes every waiter.
     */
    public void close(long nowNanos) {
        lock.lock();
        try {
            if (!closed && resumable) {
                high.stream().filter(WireCodec::isApp).forEach(leftover::add);
                for (Stamped s : low) { // bounded by the lanes' own limits; what is too old is dropped, as take would
                    if (nowNanos - s.enqueuedNanos() <= lowMaxAgeNanos) {
                        leftover.add(s.bytes());
                    } else {
                        lowDropped++;
                    }
                }
            }
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
