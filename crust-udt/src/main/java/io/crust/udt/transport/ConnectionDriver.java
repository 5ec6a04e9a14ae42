package io.crust.udt.transport;

import io.crust.udt.ConnectionStats;
import io.crust.udt.UdtException;
import io.crust.udt.connection.ConnectionState;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's {@link ConnectionState} on whichever thread has work for it, so that a datagram
 * or an application call is handled where it happens instead of being handed to another thread:
 *
 * <pre>
 *   endpoint receive thread          application threads             connection thread
 *   (one per socket)                 (send / receive / close)        (crust-udt-conn-&lt;id&gt;)
 *          |                                  |                                |
 *   tryLock state, onDatagram          lock state, write/read           park until a timer is due
 *   signal a waiter whose condition    wait on writable / readable      (or a queued datagram,
 *   now holds                          (released while waiting)          or a close)
 *          |                                  |                                |
 *          +--------------- flush(): poll datagrams, send them ----------------+
 *                           (one sender at a time, others leave it a request)
 * </pre>
 *
 * <ul>
 *   <li><b>Receiving.</b> The endpoint's receive thread runs the state machine for each datagram under
 *       the state lock ({@code tryLock}); only if the lock is busy is a copy queued for the connection
 *       thread.</li>
 *   <li><b>Sending.</b> Whoever changed the state (a received ACK opened the window, the application
 *       wrote, a timer fired) calls {@link #flush}: it polls datagrams from the state and sends them
 *       itself. One thread sends at a time, so datagrams leave in packet-number order; a thread that
 *       finds another one sending leaves a request, which the sender picks up before it stops.</li>
 *   <li><b>Waiting.</b> Readers wait on {@code readable} and are signalled only when the bytes they
 *       need have arrived; writers wait on {@code writable} and are signalled when free space crosses
 *       a low-water mark; {@code settled} is for phase changes (established, closing, ended).</li>
 *   <li><b>Timers.</b> The connection's own platform thread sleeps until the state's next deadline (loss,
 *       probe, delayed ACK, pacing, keepalive, idle) and is woken early only when a deadline moved
 *       earlier or a datagram was queued.</li>
 * </ul>
 * Everything here is plain blocking code; nothing runs inside {@code synchronized}.
 */
public final class ConnectionDriver {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDriver.class);
    private static final int MAX_QUEUED_DATAGRAMS = 1024;
    private static final int HEADER_BYTES = 4;
    /** A waiting reader is woken when this much of a long message has arrived, not per datagram. */
    private static final int READ_CHUNK_BYTES = 256 * 1024;
    private static final long AWAKE = Long.MIN_VALUE;
    /** Flush requests, weakest first (see {@link #flush(int)}). */
    /** At most this many bytes of packets per segmented send (the kernel's limit is 64 KiB with headers). */
    private static final int BATCH_BYTES = 65_000;
    private static final int NOTHING = 0;
    private static final int HOLD_PARTIAL = 1;
    private static final int SEND_ALL = 2;
    private static final long SENDER_BUSY_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * How late a timer other than pacing may fire rather than wake the connection thread early: each
     * send arms the probe timer and each arrival the delayed-ACK timer, and waking the thread to re-park
     * it a little earlier cost two thread switches per message in a request-response exchange. RFC 9002
     * allows for this: its timer granularity, kGranularity, is 1 ms and is part of every loss and probe
     * timeout (sec. 6.1.2, 6.2.1).
     */
    private static final long TIMER_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Demultiplexer endpoint;
    /** Where the handshake ran: the key of the endpoint's handshake tables. */
    private final InetSocketAddress handshakeAddress;
    /** The peer's validated address, a copy of the state's for the receive thread's routing (see {@link #onDatagramFrom}). */
    private volatile InetSocketAddress remote;
    private final ConnectionState state;
    private final int maxMessageBytes;
    private final long closeTimeoutNanos;
    /** Writers blocked on a full send buffer wake when this much is free (a quarter of the buffer). */
    private final int writeLowWaterBytes;
    /**
     * The most a waiting reader asks for before it wakes: {@value #READ_CHUNK_BYTES}, or half the receive
     * window if that is smaller. More than the window could ever hold would never arrive: the peer
     * stops at the window's edge until the reader frees it.
     */
    private final int readChunkBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final Condition writable = lock.newCondition();
    private final Condition settled = lock.newCondition();
    private final ReentrantLock sendOrder = new ReentrantLock();
    private final ReentrantLock receiveOrder = new ReentrantLock();
    /** Held by the one thread that polls and sends datagrams; see {@link #flush}. */
    private final ReentrantLock sending = new ReentrantLock();
    private final AtomicInteger flushRequested = new AtomicInteger();
    private final ConcurrentLinkedQueue<ByteBuffer> inbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboundCount = new AtomicInteger();
    private final AtomicBoolean wakeup = new AtomicBoolean();
    private final ByteBuffer out;
    private final byte[] header = new byte[HEADER_BYTES];
    /** Packets waiting to go to the kernel in one call (see {@link #addToBatch}); only the sending thread uses it. */
    private ByteBuffer batch;
    private int batchCount;
    private int batchSegmentBytes;
    private InetSocketAddress batchDestination;
    private volatile Thread thread;
    private volatile boolean stopped;
    /** When the connection thread will next look at the timers; {@link #AWAKE} while it runs (under lock). */
    private long timerDeadline = AWAKE;
    /** Bytes the waiting reader needs before it can make progress; 0 if no reader waits (under lock). */
    private int readerNeeds;
    /** The waiting reader while it reads the endpoint's socket itself (see {@link SocketTurn}), else null (under lock). */
    private Thread readingReader;
    /** This connection's waiting reader as the socket's turn sees it (see {@link SocketTurn#tryTake}). */
    private final SocketTurn.Reader turnReader = new SocketTurn.Reader() {
        @Override
        public boolean stillWaiting() {
            lock.lock();
            try {
                return readerNeeds > 0 && readingReader == null;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void wake() {
            lock.lock();
            try {
                if (readerNeeds > 0 && readingReader == null) {
                    readable.signal(); // its need is not met: it looks again and takes the turn
                }
            } finally {
                lock.unlock();
            }
        }
    };
    /** Free bytes the waiting writer needs; 0 if no writer waits (under lock). */
    private int writerNeeds;
    private ConnectionState.Phase lastPhase;
    /** Loop passes of the connection thread (written under {@code lock}, read by stats under it). */
    private long passes;
    private boolean closeCalled;
    /** Bytes of the current message that the stream view has not read yet (under {@code receiveOrder}). */
    private int streamRemaining;

    ConnectionDriver(Demultiplexer endpoint, InetSocketAddress remote, ConnectionState state, int maxPayloadBytes,
                     int maxMessageBytes, long closeTimeoutNanos) {
        this.endpoint = endpoint;
        this.handshakeAddress = remote;
        this.remote = remote;
        this.state = state;
        this.maxMessageBytes = maxMessageBytes;
        this.closeTimeoutNanos = closeTimeoutNanos;
        this.writeLowWaterBytes = Math.max(1, endpoint.config().sendBufferBytes() / 4);
        this.readChunkBytes = Math.max(1, Math.min(READ_CHUNK_BYTES, endpoint.config().receiveWindowBytes() / 2));
        this.out = endpoint.allocate(Math.max(maxPayloadBytes, 1200));
        this.lastPhase = state.phase();
    }

    void start() {
        // A platform thread: its timed waits (about a thousand a second while pacing at full rate) are one
        // futex wait each. A virtual thread's timed park goes through the JDK's delay scheduler thread
        // and then a carrier hand-off, which cost the sender a quarter of its CPU (docs/udt.md, Threads).
        thread = Thread.ofPlatform().daemon().name("crust-udt-conn-" + Long.toHexString(state.localId())).start(this::run);
    }

    long localId() {
        return state.localId();
    }

    long peerIdAtStart() {
        return state.peerId();
    }

    /** The peer's address: where the handshake ran, until the peer moved and the new address was validated. */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    InetSocketAddress handshakeAddress() {
        return handshakeAddress;
    }

    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    boolean isRendezvous() {
        return state.isRendezvous();
    }

    // ------------------------------------------------------------ the receive thread

    /**
     * Takes one datagram that the endpoint's receive thread read at {@code now}: runs it through the
     * state machine at once and sends what that produces (ACKs, data the ACK made room for), or, if
     * another thread holds the state, queues a copy for the connection thread. With {@code deferFlush}
     * (a datagram of a batch) the sending waits for {@link #flushAfterBatch}, so that the ACK for a
     * whole batch leaves once. The caller keeps {@code datagram}.
     *
     * @return false if the datagram was dropped because the queue is full
     */
    boolean onDatagram(ByteBuffer datagram, long now, boolean deferFlush) {
        if (stopped) {
            return true;
        }
        if (lock.tryLock()) {
            try {
                takeQueued(now);
                endpoint.count(state.onDatagram(datagram, now));
                signalWaiters();
            } finally {
                lock.unlock();
            }
            if (!deferFlush) {
                flush();
            }
            return true;
        }
        if (inboundCount.incrementAndGet() > MAX_QUEUED_DATAGRAMS) {
            inboundCount.decrementAndGet();
            return false;
        }
        inbound.offer(endpoint.copyForQueue(datagram));
        wake();
        return true;
    }

    /** Sends what the datagrams of a batch, handed over with {@code deferFlush}, produced. */
    void flushAfterBatch() {
        if (!stopped) {
            flush();
        }
    }

    /**
     * Takes one datagram of this connection that came from an address other than the peer's (a NAT
     * may have given the peer a new one): the state decides whether to validate that address and
     * whether to move there. Rare, so it waits for the state lock rather than queue a copy with its
     * address. The caller keeps {@code datagram}.
     *
     * @return whether the state took the datagram in
     */
    boolean onDatagramFrom(ByteBuffer datagram, InetSocketAddress from) {
        if (stopped) {
            return false;
        }
        ConnectionState.Verdict verdict;
        lock.lock();
        try {
            long now = System.nanoTime();
            takeQueued(now);
            verdict = state.onDatagram(datagram, from, now);
            InetSocketAddress moved = state.peerAddress();
            if (!moved.equals(remote)) {
                LOG.info("crust-udt connection {} moved to {} (from {}): the peer's new address answered its challenge",
                        Long.toHexString(state.localId()), moved, remote);
                remote = moved;
            }
            signalWaiters();
        } finally {
            lock.unlock();
        }
        flush();
        return verdict == ConnectionState.Verdict.ACCEPTED;
    }

    /** Runs queued datagrams through the state machine (caller holds {@code lock}). */
    private void takeQueued(long now) {
        ByteBuffer queued;
        while ((queued = inbound.poll()) != null) {
            inboundCount.decrementAndGet();
            endpoint.count(state.onDatagram(queued, now));
            endpoint.releaseBuffer(queued);
        }
    }

    /**
     * Signals the threads whose condition now holds, and only those (caller holds {@code lock}): a
     * reader once the bytes it waits for are there, a writer once the free space passed its mark,
     * phase waiters when the phase changed. Waking a thread that would only wait again costs a
     * context switch per datagram.
     */
    private void signalWaiters() {
        ConnectionState.Phase phase = state.phase();
        boolean ended = phase == ConnectionState.Phase.TERMINATED;
        if (readerNeeds > 0 && (state.readableBytes() >= readerNeeds || ended || closeCalled || state.peerFinished())) {
            readerNeeds = 0;
            readable.signal();
            nudgeReadingReader();
        }
        if (writerNeeds > 0 && (state.writableBytes() >= writerNeeds || closeCalled
                || phase != ConnectionState.Phase.ESTABLISHED)) {
            writerNeeds = 0;
            writable.signal();
        }
        if (phase != lastPhase || (closeCalled && lock.hasWaiters(settled))) {
            lastPhase = phase;
            settled.signalAll();
        }
    }

    // ------------------------------------------------------------ sending, from any thread

    /**
     * Polls every datagram the state wants to send now and sends it. Only one thread sends at a time
     * (so packets leave in the order they were numbered); a thread that finds the sender busy leaves
     * a request and returns at once, and the sender looks at the request before it lets go.
     */
    private boolean flush() {
        return flush(SEND_ALL);
    }

    /**
     * As {@link #flush()}; with {@link #HOLD_PARTIAL} (an application write) a last packet that the
     * data written so far would fill only partly stays in the buffer while earlier packets are in
     * flight: their acknowledgement, which is due soon, sends it (or a later write fills it). A
     * request to send everything wins over one to hold.
     */
    private boolean flush(int how) {
        flushRequested.accumulateAndGet(how, Math::max);
        boolean sent = false;
        while (flushRequested.get() != NOTHING && sending.tryLock()) {
            try {
                sendAll(flushRequested.getAndSet(NOTHING) == HOLD_PARTIAL);
                sent = true;
            } finally {
                sending.unlock();
            }
        }
        return sent;
    }

    private void sendAll(boolean holdPartial) {
        while (true) {
            int length;
            int payloadBytes;
            InetSocketAddress to;
            boolean wakeTimer = false;
            lock.lock();
            try {
                length = state.poll(out, System.nanoTime(), holdPartial);
                payloadBytes = state.payloadBytes();
                to = state.destination();
                if (length == 0) {
                    // Nothing more to send now: make sure the connection thread is up in time for
                    // whatever comes next (pacing, the delayed ACK, a retransmission).
                    long deadline = state.nextDeadlineNanos();
                    long pacing = state.pacingDeadlineNanos();
                    wakeTimer = timerDeadline != AWAKE && ((pacing != 0 && pacing < timerDeadline)
                            || deadline < timerDeadline - TIMER_SLACK_NANOS);
                    if (state.isFinished()) {
                        wakeTimer = true;
                    }
                    signalWaiters();
                }
            } finally {
                lock.unlock();
            }
            if (length == 0) {
                sendBatch();
                if (wakeTimer) {
                    wake();
                }
                return;
            }
            if (endpoint.maxSegments() > 1 && length <= payloadBytes) {
                addToBatch(length, to);
            } else {
                sendBatch(); // a path MTU probe goes alone: its failure must be its own
                send(length, to);
            }
        }
    }

    /**
     * Appends the packet in {@code out} to the batch that goes to the kernel in one call: packets of
     * one size, the last of a batch maybe shorter (what UDP segmentation offload accepts), at most
     * {@link Demultiplexer#maxSegments()} of them and {@link #BATCH_BYTES} in all. Called only by the
     * thread that holds {@code sending}.
     */
    private void addToBatch(int length, InetSocketAddress to) {
        if (2 * length > BATCH_BYTES) {
            sendBatch(); // two would not fit: nothing to gain (loopback's 64 KiB datagrams)
            send(length, to);
            return;
        }
        if (batch == null) {
            batch = endpoint.allocate(BATCH_BYTES);
        }
        if (batchCount > 0 && (length > batchSegmentBytes || batch.remaining() < length
                || batchCount == endpoint.maxSegments() || !to.equals(batchDestination))) {
            sendBatch();
        }
        if (batchCount == 0) {
            batchSegmentBytes = length;
            batchDestination = to; // a path challenge goes elsewhere than the data: never in one batch
        }
        out.flip();
        batch.put(out);
        batchCount++;
        if (length < batchSegmentBytes) {
            sendBatch(); // a shorter packet can only end a batch
        }
    }

    private void sendBatch() {
        if (batchCount == 0) {
            return;
        }
        batch.flip();
        int segment = batchSegmentBytes;
        int count = batchCount;
        batchCount = 0;
        try {
            if (count == 1) {
                endpoint.send(batch, batchDestination);
            } else {
                endpoint.sendSegments(batch, segment, batchDestination, count);
            }
        } catch (IOException e) {
            onSendFailure(e, segment, batchDestination);
        } finally {
            batch.clear();
        }
    }

    /**
     * Makes the connection thread run its loop once more. Only the first wake-up after the thread last
     * looked at the flag unparks it; later ones find the flag already set, which the thread checks
     * before it parks, so no wake-up is lost and a busy thread is not unparked per datagram.
     */
    private void wake() {
        if (!wakeup.getAndSet(true)) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    // ------------------------------------------------------------ the connection thread: timers

    private void run() {
        try {
            while (true) {
                boolean finished;
                lock.lock();
                try {
                    passes++;
                    timerDeadline = AWAKE;
                    long now = System.nanoTime();
                    takeQueued(now);
                    state.onTimers(now);
                    signalWaiters();
                } finally {
                    lock.unlock();
                }
                boolean polled = flush();
                long deadline;
                lock.lock();
                try {
                    finished = state.isFinished();
                    deadline = state.nextDeadlineNanos();
                    if (!polled && deadline - System.nanoTime() <= 0) {
                        // Another thread is sending, and what is due now is its to send; it wakes this
                        // thread when it stops (sendAll), and the wait is bounded in case it doesn't.
                        deadline = System.nanoTime() + SENDER_BUSY_WAIT_NANOS;
                    }
                    timerDeadline = deadline;
                } finally {
                    lock.unlock();
                }
                if (finished) {
                    // Another thread may have polled the last CLOSE and still hold it in its batch: the
                    // thread's end means "everything sent" to whoever joins it (the endpoint's close).
                    awaitSendInProgress();
                    return;
                }
                if (wakeup.getAndSet(false)) {
                    continue;
                }
                long waitNanos = deadline == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : deadline - System.nanoTime();
                if (waitNanos > 0) {
                    LockSupport.parkNanos(this, waitNanos);
                }
                wakeup.set(false);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("crust-udt connection {} failed internally", Long.toHexString(state.localId()), e);
            lock.lock();
            try {
                state.abort("internal error: " + e);
            } finally {
                lock.unlock();
            }
            try {
                flush(); // the CLOSE that tells the peer, so that it does not wait out its idle timeout
                awaitSendInProgress();
            } catch (RuntimeException | Error again) {
                LOG.debug("crust-udt connection {} could not send its CLOSE: {}", Long.toHexString(state.localId()),
                        again.toString()); // the state itself may be what failed
            }
        } finally {
            stopped = true;
            endpoint.unregister(this);
            ByteBuffer b;
            while ((b = inbound.poll()) != null) {
                endpoint.releaseBuffer(b);
            }
            lock.lock();
            try {
                if (closeCalled) {
                    state.releaseBuffers(); // the application is done with it: even if something still holds it
                }
                readable.signalAll();
                writable.signalAll();
                settled.signalAll();
                readerNeeds = 0;
                nudgeReadingReader();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Wakes the reader if it is in the socket and another thread met its need: the reader itself sees
     * that when it has handled the datagram it read (caller holds {@code lock}).
     */
    private void nudgeReadingReader() {
        if (readingReader != null && readingReader != Thread.currentThread()) {
            endpoint.nudgeSocket();
        }
    }

    private void send(int length, InetSocketAddress to) {
        out.flip();
        try {
            endpoint.send(out, to);
        } catch (IOException e) {
            onSendFailure(e, length, to);
        }
    }

    private void onSendFailure(IOException e, int length, InetSocketAddress to) {
        if (e instanceof ClosedChannelException) {
            lockedAbort("the endpoint was closed");
        } else if (length > 1200 && String.valueOf(e.getMessage()).contains("too long")) {
            lock.lock();
            try {
                state.onDatagramTooLarge();
            } finally {
                lock.unlock();
            }
        } else {
            LOG.debug("send to {} failed: {}", to, e.toString()); // treated as a lost packet
        }
    }

    private void lockedAbort(String why) {
        lock.lock();
        try {
            state.abort(why);
            signalWaiters();
        } finally {
            lock.unlock();
        }
        wake();
    }

    // ------------------------------------------------------------ called by application threads

    /** Waits until the handshake completes; aborts the attempt on timeout or interrupt. */
    void awaitEstablished(long timeoutNanos) throws IOException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (state.phase() == ConnectionState.Phase.CONNECTING) {
                if (left <= 0) {
                    state.abort("handshake timed out");
                    wake();
                    throw new SocketTimeoutException("no answer from " + remote + " within "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                left = awaitOrAbort(left);
            }
            if (state.phase() == ConnectionState.Phase.TERMINATED) {
                throw new UdtException("connection to " + remote + " failed: " + state.failure());
            }
        } finally {
            lock.unlock();
        }
    }

    private long awaitOrAbort(long nanos) throws InterruptedIOException {
        try {
            return settled.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (state.phase() == ConnectionState.Phase.CONNECTING) {
                state.abort("interrupted during the handshake");
                wake();
            }
            throw new InterruptedIOException("interrupted");
        }
    }

    /**
     * Appends one message (length, then bytes) and sends what the window allows on this thread. With
     * {@code timeoutNanos < 0} waits as long as needed.
     *
     * @return false if the timeout passed before any of it was queued
     */
    public boolean sendMessage(byte[] src, int off, int len, long timeoutNanos) throws IOException {
        if (len > maxMessageBytes) {
            throw new UdtException("message of " + len + " bytes exceeds maxMessageBytes " + maxMessageBytes);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        if (!lockWithin(sendOrder, timeoutNanos)) {
            return false;
        }
        try {
            lock.lock();
            try {
                // A timed send waits for room for the whole message, so that on timeout nothing is
                // queued; a message larger than the whole buffer can only be streamed into it.
                int needed = timeoutNanos >= 0 && HEADER_BYTES + len <= endpoint.config().sendBufferBytes()
                        ? HEADER_BYTES + len : HEADER_BYTES;
                while (state.writableBytes() < needed) {
                    checkWritable();
                    long left = timeoutNanos < 0 ? -1 : deadline - System.nanoTime();
                    if (timeoutNanos >= 0 && left <= 0) {
                        return false;
                    }
                    awaitWritable(needed, left);
                }
                checkWritable();
                header[0] = (byte) (len >>> 24);
                header[1] = (byte) (len >>> 16);
                header[2] = (byte) (len >>> 8);
                header[3] = (byte) len;
                state.write(header, 0, HEADER_BYTES);
                int done = 0;
                while (done < len) {
                    int n = state.write(src, off + done, len - done);
                    done += n;
                    if (n == 0) {
                        // The buffer is full: send what the window allows, then wait for the peer's
                        // acknowledgements to free a good part of it (not a datagram's worth).
                        lock.unlock();
                        try {
                            flush(HOLD_PARTIAL);
                        } finally {
                            lock.lock();
                        }
                        checkWritable();
                        if (state.writableBytes() == 0) {
                            awaitWritable(Math.min(len - done, writeLowWaterBytes), -1);
                        }
                    }
                }
            } finally {
                lock.unlock();
            }
        } finally {
            sendOrder.unlock();
        }
        flush(HOLD_PARTIAL);
        return true;
    }

    private void checkWritable() throws UdtException {
        ConnectionState.Phase phase = state.phase();
        if (phase == ConnectionState.Phase.ESTABLISHED) {
            return;
        }
        if (closeCalled) {
            throw new UdtException("connection is closed");
        }
        if (state.failure() != null) {
            throw new UdtException(state.failure());
        }
        throw new UdtException(state.peerClosed() ? "connection closed by peer" : "connection is closed");
    }

    /** Takes {@code order}, waiting at most {@code timeoutNanos} (without limit if negative); false on timeout. */
    private static boolean lockWithin(ReentrantLock order, long timeoutNanos) throws InterruptedIOException {
        try {
            if (timeoutNanos < 0) {
                order.lockInterruptibly();
                return true;
            }
            return order.tryLock(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /** Waits until {@code bytes} are free or the connection stops being writable; see {@link #await}. */
    private void awaitWritable(int bytes, long nanos) throws InterruptedIOException {
        writerNeeds = Math.max(1, bytes);
        try {
            await(writable, nanos);
        } finally {
            writerNeeds = 0;
        }
    }

    /** Waits until {@code bytes} are readable or no more can come; see {@link #await}. */
    private void awaitReadable(int bytes, long nanos) throws InterruptedIOException {
        readerNeeds = Math.max(1, bytes);
        try {
            if (nanos < 0 && lock.getHoldCount() == 1 && endpoint.tryTakeTurn(turnReader)) {
                readWhileWaiting();
            } else {
                await(readable, nanos);
            }
        } finally {
            readerNeeds = 0;
        }
    }

    /**
     * Reads the endpoint's socket on this thread until the bytes this reader waits for are there
     * (leader/follower, see {@link SocketTurn}): the kernel wakes this thread when the datagram
     * arrives, instead of the receive thread that would then have to wake it. An untimed wait only:
     * the socket call returns at its receive timeout, about a second, too late for a timeout.
     * The caller holds {@code lock}, which is let go while reading, and loops and re-checks.
     */
    private void readWhileWaiting() throws InterruptedIOException {
        readingReader = Thread.currentThread();
        lock.unlock();
        try {
            endpoint.readWhileWaiting(this);
        } finally {
            lock.lock();
            readingReader = null;
        }
    }

    /** Whether the reader that reads the socket still waits; see {@link #signalWaiters}. */
    boolean readerWaiting() {
        lock.lock();
        try {
            return readerNeeds > 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits on {@code condition}; {@code nanos < 0} waits without a timeout. Callers loop and re-check.
     * An untimed wait matters on a virtual thread: a timed one schedules and cancels a timer task per
     * wait, which cost a bulk receiver about a tenth of its CPU (async-profiler: the JDK's
     * DelayScheduler). Every change that can satisfy a waiter happens under the lock and ends in
     * {@link #signalWaiters}.
     */
    private static void await(Condition condition, long nanos) throws InterruptedIOException {
        try {
            if (nanos < 0) {
                condition.await();
            } else {
                condition.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /**
     * Takes the next message; with {@code timeoutNanos < 0} waits as long as needed. The timeout covers
     * the wait for a message to begin; once its length has arrived, the rest is awaited in full.
     *
     * @return the message, or null on timeout
     */
    public byte[] receiveMessage(long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        if (!lockWithin(receiveOrder, timeoutNanos)) {
            return null;
        }
        try {
            int len;
            lock.lock();
            try {
                if (streamRemaining != 0) {
                    checkReadable(); // a connection that failed mid-message says so
                    throw new IllegalStateException("a message was only partly read (by the input stream, or an"
                            + " interrupted receive)");
                }
                while (state.readableBytes() < HEADER_BYTES) {
                    checkReadable();
                    long left = timeoutNanos < 0 ? -1 : deadline - System.nanoTime();
                    if (timeoutNanos >= 0 && left <= 0) {
                        return null;
                    }
                    awaitReadable(HEADER_BYTES, left);
                }
                state.read(header, 0, HEADER_BYTES);
                len = checkedLength();
                streamRemaining = len;
            } finally {
                lock.unlock();
            }
            byte[] message = new byte[len];
            int done = 0;
            while (done < len) {
                done += readChunk(message, done, len - done);
            }
            if (len == 0) {
                flush(); // the header alone may have opened the receive window
            }
            return message;
        } finally {
            receiveOrder.unlock();
        }
    }

    /**
     * The byte-stream view of the received messages: copies up to {@code len} bytes straight from the
     * receive buffer into {@code dst}, across message boundaries, waiting until some are there.
     *
     * @return bytes read, at least 1
     * @throws EOFException at the peer's end of stream
     */
    public int readStream(byte[] dst, int off, int len) throws IOException {
        lockWithin(receiveOrder, -1);
        try {
            return readChunk(dst, off, len);
        } finally {
            receiveOrder.unlock();
        }
    }

    /**
     * Copies up to {@code len} bytes of the current message (reading the next message's length first if
     * the current one is done) straight from the receive buffer, waiting for as much as asked (up to
     * {@link #readChunkBytes}, or the rest of the message) rather than waking per datagram. Then sends
     * the window update the read may have made due. The caller holds {@code receiveOrder}.
     */
    private int readChunk(byte[] dst, int off, int len) throws IOException {
        boolean consumed = false;
        lock.lock();
        try {
            while (streamRemaining == 0) {
                while (state.readableBytes() < HEADER_BYTES) {
                    checkReadable();
                    awaitReadable(HEADER_BYTES, -1);
                }
                state.read(header, 0, HEADER_BYTES);
                consumed = true;
                streamRemaining = checkedLength();
            }
            int wanted = Math.min(len, streamRemaining);
            while (state.readableBytes() == 0) {
                checkReadable();
                awaitReadable(Math.min(wanted, readChunkBytes), -1);
            }
            int n = state.read(dst, off, wanted);
            streamRemaining -= n;
            consumed = true;
            return n;
        } finally {
            lock.unlock();
            if (consumed) {
                flush(); // reading may have opened the receive window
            }
        }
    }

    /** The length in {@code header}, checked against maxMessageBytes (caller holds {@code lock}). */
    private int checkedLength() throws UdtException {
        int len = ((header[0] & 0xFF) << 24) | ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8)
                | (header[3] & 0xFF);
        if (len < 0 || len > maxMessageBytes) {
            state.abort("peer announced a message of " + Integer.toUnsignedString(len)
                    + " bytes, above maxMessageBytes " + maxMessageBytes);
            signalWaiters();
            wake();
            throw new UdtException(state.failure());
        }
        return len;
    }

    private void checkReadable() throws IOException {
        if (state.readableBytes() > 0) {
            return;
        }
        if (closeCalled) {
            throw new UdtException("connection is closed");
        }
        if (state.atEndOfStream()) {
            throw new EOFException("peer closed the connection");
        }
        if (state.phase() == ConnectionState.Phase.TERMINATED) {
            throw new UdtException(state.failure() != null ? state.failure() : "connection closed by peer");
        }
    }

    /** Graceful close; see {@link io.crust.udt.UdtConnection#close()}. */
    public void close() throws IOException {
        lock.lock();
        try {
            if (closeCalled) {
                return;
            }
            closeCalled = true;
            state.close(System.nanoTime());
            signalWaiters();
            lock.unlock();
            try {
                flush(); // the end of the stream goes out now
            } finally {
                lock.lock();
            }
            wake();
            // The timeout bounds the time without progress, not the whole close: a full send buffer
            // on a slow path may take longer than that to drain, and aborting it would lose data
            // the peer is still acknowledging.
            long left = closeTimeoutNanos;
            long acknowledged = state.acknowledgedBytes();
            while (!state.isFinished() && !stopped) {
                if (left <= 0 && state.acknowledgedBytes() > acknowledged) {
                    acknowledged = state.acknowledgedBytes();
                    left = closeTimeoutNanos;
                }
                if (left <= 0) {
                    state.abort("close timed out: the peer acknowledged nothing for "
                            + TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos) + " ms");
                    wake();
                    throw new UdtException("close timed out: the peer acknowledged nothing for "
                            + TimeUnit.NANOSECONDS.toMillis(closeTimeoutNanos) + " ms");
                }
                try {
                    left = settled.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    state.abort("interrupted while closing");
                    wake();
                    throw new InterruptedIOException("interrupted while closing");
                }
            }
            if (state.failure() != null) {
                throw new UdtException(state.failure());
            }
        } finally {
            if (stopped) {
                state.releaseBuffers(); // the connection thread ended before close was called
            }
            lock.unlock();
            awaitSendInProgress();
        }
    }

    /**
     * Waits until no thread is inside {@link #flush}. The state counts its CLOSE frames as sent when
     * they are polled, under {@code lock}, but the sender hands them to the socket after it has let go
     * of {@code lock}: {@code isFinished} can be true while they are still on their way. An application
     * that closed its endpoint as soon as {@link #close} returned then lost them, and the peer, never
     * told, waited out its own close timeout (seen as a perf server's session failing after 10 s).
     * The connection thread does the same before it ends, so an endpoint that joins it before closing
     * the socket does not lose an abort's CLOSE either. Called without {@code lock}: the sender takes
     * {@code lock} while it holds {@code sending}.
     */
    private void awaitSendInProgress() {
        sending.lock();
        sending.unlock();
    }

    /** Immediate close. */
    public void abort() {
        lock.lock();
        try {
            closeCalled = true;
            state.abort("aborted by the application");
            signalWaiters();
            if (stopped) {
                state.releaseBuffers();
            }
        } finally {
            lock.unlock();
        }
        wake();
    }

    /** Aborts the connection from the endpoint's side (the endpoint closes); see {@link #join}. */
    void abortForEndpoint(String why) {
        lockedAbort(why);
    }

    /** Waits (bounded) for the connection thread to end, after {@link #abortForEndpoint}. */
    void join(long timeoutNanos) {
        Thread t = thread;
        if (t != null) {
            try {
                t.join(java.time.Duration.ofNanos(timeoutNanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public ConnectionStats stats() {
        lock.lock();
        try {
            return state.stats(passes);
        } finally {
            lock.unlock();
        }
    }
}
