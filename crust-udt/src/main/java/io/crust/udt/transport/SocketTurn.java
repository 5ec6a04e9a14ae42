package io.crust.udt.transport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whose turn it is to read the endpoint's socket: the endpoint's receive thread, or an application
 * thread that waits for a message and reads the socket itself (leader/follower).
 *
 * <p>A message that the receive thread reads has to be handed to the thread waiting for it: one more
 * thread wake-up per message, which was most of what a 64-byte round trip cost above raw UDP
 * (docs/udt.md, "Who reads the socket"). A waiting reader that holds the turn is woken by the kernel
 * itself when its datagram arrives. The turn moves like this:
 * <pre>
 *   receive thread reads ──(a reader asked and nudged the socket; after the batch)──▶ kept for that reader
 *   kept for that reader ──(it takes it)──▶ that reader reads
 *   nobody ──(a reader takes it)──▶ that reader reads ──(its message is there)──▶ nobody
 *   nobody ──(nobody took it within the linger)──▶ receive thread reads
 *   kept for a reader ──(it did not come within {@link #RESERVATION_NANOS})──▶ receive thread reads
 * </pre>
 * The linger lets a reader that comes straight back for its next message (a request-response loop)
 * keep the socket. A reader lets the turn go without waking the receive thread: while readers hold
 * the turn, the receive thread looks every {@link #CHECK_NANOS} (a thread wake-up per message was what
 * this class is there to save), and only after {@link #QUIET_CHECKS} looks without a reader letting go
 * (a reader blocked on an idle connection) does it sleep until woken. So datagrams that arrive while
 * nobody holds the turn wait in the socket's buffer for at most about a linger and a check. Whoever holds
 * the turn runs every datagram it reads through the state machines, for every connection of the
 * endpoint.
 */
final class SocketTurn {
    /** How long the turn stays free for a returning reader before the receive thread takes it back. */
    static final long LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(250);
    /** How often the receive thread looks whether a reader let the turn go, while readers hold it. */
    static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Looks in a row without a reader letting go, after which the receive thread waits to be woken. */
    static final int QUIET_CHECKS = 10;
    /**
     * How long the turn is kept for the reader that asked for it: its wake-up can take longer than a
     * linger on a loaded machine, and a turn taken back before it came would make it ask again.
     */
    static final long RESERVATION_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A reader that may ask for the turn. */
    interface Reader {
        /** Whether it still waits for its message (it may have been handed it meanwhile). */
        boolean stillWaiting();

        /** Ends its wait for its message, so that it looks again and takes the turn kept for it. */
        void wake();
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** The thread that reads the socket now; null while nobody does (under {@code lock}). */
    private Thread holder;
    /** When the turn was last let go (under {@code lock}). */
    private long freeSince;
    /** How often readers have let the turn go (under {@code lock}). */
    private long releases;
    private Thread receiveThread;
    /** The receive thread waits until woken: a reader that lets go must signal (under {@code lock}). */
    private boolean receiveThreadSleeps;
    /** The reader that found the receive thread holding the turn and asked for it; null if none (under {@code lock}). */
    private Reader asker;
    private Thread askerThread;
    /** The thread the free turn is kept for, and since when; null if none (under {@code lock}). */
    private Thread reservedFor;
    private long reservedSince;
    private boolean closed;

    SocketTurn() {
        this.freeSince = System.nanoTime() - LINGER_NANOS;
    }

    /**
     * The receive thread waits here for its turn: at once if the turn has been free for a linger,
     * else once it has. Returns false once the endpoint closes.
     */
    boolean awaitReceiveThreadTurn() {
        lock.lock();
        try {
            receiveThread = Thread.currentThread();
            int quietChecks = 0;
            while (!closed) {
                if (holder == receiveThread) {
                    return true;
                }
                if (holder == null) {
                    long now = System.nanoTime();
                    if (reservedFor != null && now - reservedSince < RESERVATION_NANOS) {
                        awaitNanos(RESERVATION_NANOS - (now - reservedSince));
                        continue;
                    }
                    long free = now - freeSince;
                    if (free >= LINGER_NANOS) {
                        holder = receiveThread;
                        reservedFor = null;
                        return true;
                    }
                    awaitNanos(LINGER_NANOS - free);
                } else if (quietChecks >= QUIET_CHECKS) {
                    receiveThreadSleeps = true;
                    try {
                        changed.awaitUninterruptibly();
                    } finally {
                        receiveThreadSleeps = false;
                    }
                    quietChecks = 0;
                } else {
                    long seen = releases;
                    awaitNanos(CHECK_NANOS);
                    quietChecks = releases == seen && holder != null ? quietChecks + 1 : 0;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The receive thread, after a batch: if a reader asked for the turn meanwhile and still waits (this
     * batch may have brought its message), keeps the turn for it and wakes it, so that it looks again
     * and takes it.
     */
    void afterReceiveThreadBatch() {
        Reader reader;
        Thread thread;
        lock.lock();
        try {
            if (asker == null || holder != receiveThread) {
                return;
            }
            reader = asker;
            thread = askerThread;
            asker = null;
            askerThread = null;
        } finally {
            lock.unlock();
        }
        if (!reader.stillWaiting()) {
            return; // handed its message: the receive thread reads on
        }
        lock.lock();
        try {
            holder = null;
            reservedFor = thread;
            reservedSince = System.nanoTime();
            freeSince = reservedSince;
        } finally {
            lock.unlock();
        }
        reader.wake();
    }

    /** What {@link #tryTake} did. */
    enum Take {
        /** The caller holds the turn: it reads the socket until its message is there, then lets go. */
        TAKEN,
        /**
         * The receive thread holds it and has been asked to give it up: the caller nudges the socket, so
         * that the receive thread's read returns, and waits to be handed its message as usual; the
         * receive thread wakes it when it lets go.
         */
        ASKED,
        /** Another reader holds it, or the receive thread was asked already: the caller waits as usual. */
        BUSY
    }

    /**
     * A reader that is about to wait for its message: takes the turn if it is free (and not kept for
     * another reader), else asks for it.
     *
     * @param reader the caller, should it ask (called by the receive thread, without this class's lock)
     */
    Take tryTake(Reader reader) {
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            if (closed) {
                return Take.BUSY;
            }
            if (holder == null && (reservedFor == null || reservedFor == me
                    || System.nanoTime() - reservedSince >= RESERVATION_NANOS)) {
                holder = me;
                reservedFor = null;
                return Take.TAKEN;
            }
            if (holder == receiveThread && asker == null) {
                asker = reader;
                askerThread = me;
                return Take.ASKED;
            }
            return Take.BUSY;
        } finally {
            lock.unlock();
        }
    }

    /** The reader that took the turn lets it go; see the class comment for who takes it next. */
    void release() {
        lock.lock();
        try {
            if (holder == Thread.currentThread()) {
                holder = null;
                freeSince = System.nanoTime();
                releases++;
                if (receiveThreadSleeps) {
                    changed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the receive thread's wait for good. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void awaitNanos(long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            // nobody interrupts the receive thread; the loop looks at the turn again
        }
    }
}
