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
 *   receive thread reads ──(a reader asked for the turn and nudged the socket; after the batch)──▶ nobody
 *   nobody ──(a reader takes it)──▶ that reader reads ──(its message is there)──▶ nobody
 *   nobody ──(nobody took it within the linger)──▶ receive thread reads
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

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long lingerNanos;
    /** The thread that reads the socket now; null while nobody does (under {@code lock}). */
    private Thread holder;
    /** When the turn was last let go (under {@code lock}). */
    private long freeSince;
    /** How often readers have let the turn go (under {@code lock}). */
    private long releases;
    private Thread receiveThread;
    /** The receive thread waits until woken: a reader that lets go must signal (under {@code lock}). */
    private boolean receiveThreadSleeps;
    /**
     * How to wake the reader that found the receive thread holding the turn and asked for it; null if
     * none asked (under {@code lock}).
     */
    private Runnable asker;
    private boolean closed;

    SocketTurn(long lingerNanos) {
        this.lingerNanos = lingerNanos;
        this.freeSince = System.nanoTime() - lingerNanos;
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
                    long free = System.nanoTime() - freeSince;
                    if (free >= lingerNanos) {
                        holder = receiveThread;
                        return true;
                    }
                    awaitNanos(lingerNanos - free);
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
     * The receive thread, after a batch: gives the turn up if a reader asked for it meanwhile, and wakes
     * that reader (its wait for its message returns, it looks again and takes the turn).
     */
    void afterReceiveThreadBatch() {
        Runnable wake = null;
        lock.lock();
        try {
            if (asker != null && holder == receiveThread) {
                wake = asker;
                asker = null;
                holder = null;
                freeSince = System.nanoTime();
            }
        } finally {
            lock.unlock();
        }
        if (wake != null) {
            wake.run();
        }
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
     * A reader that is about to wait for its message: takes the turn if it is free, else asks for it.
     *
     * @param wakeAsker ends the caller's wait for its message, should it have asked (run by the receive
     *     thread when it lets go, without this class's lock)
     */
    Take tryTake(Runnable wakeAsker) {
        lock.lock();
        try {
            if (closed) {
                return Take.BUSY;
            }
            if (holder == null) {
                holder = Thread.currentThread();
                return Take.TAKEN;
            }
            if (holder == receiveThread && asker == null) {
                asker = wakeAsker;
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
