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
 * Runs one connection: its virtual thread ({@code crust-udt-conn-<id>}) feeds queued datagrams and the
 * time into the pure {@link ConnectionState}, sends what it produces, and parks until the next
 * datagram, application call or timer. Application threads (send, receive, close) take the same lock
 * briefly to move bytes, and wait on one condition that the connection thread signals after every
 * step. Everything here is plain blocking code; nothing runs inside {@code synchronized}.
 */
public final class ConnectionDriver {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionDriver.class);
    private static final int MAX_QUEUED_DATAGRAMS = 1024;
    private static final int HEADER_BYTES = 4;

    private final Demultiplexer endpoint;
    private final InetSocketAddress remote;
    private final ConnectionState state;
    private final int maxMessageBytes;
    private final long closeTimeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ReentrantLock sendOrder = new ReentrantLock();
    private final ReentrantLock receiveOrder = new ReentrantLock();
    private final ConcurrentLinkedQueue<ByteBuffer> inbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboundCount = new AtomicInteger();
    private final AtomicBoolean wakeup = new AtomicBoolean();
    private final ByteBuffer out;
    private final byte[] header = new byte[HEADER_BYTES];
    private volatile Thread thread;
    private volatile boolean stopped;
    /** Loop passes of the connection thread (written under {@code lock}, read by stats under it). */
    private long passes;
    private boolean closeCalled;

    ConnectionDriver(Demultiplexer endpoint, InetSocketAddress remote, ConnectionState state, int maxPayloadBytes,
                     int maxMessageBytes, long closeTimeoutNanos) {
        this.endpoint = endpoint;
        this.remote = remote;
        this.state = state;
        this.maxMessageBytes = maxMessageBytes;
        this.closeTimeoutNanos = closeTimeoutNanos;
        this.out = ByteBuffer.allocateDirect(Math.max(maxPayloadBytes, 1200));
    }

    void start() {
        thread = Thread.ofVirtual().name("crust-udt-conn-" + Long.toHexString(state.localId())).start(this::run);
    }

    long localId() {
        return state.localId();
    }

    long peerIdAtStart() {
        return state.peerId();
    }

    public InetSocketAddress remoteAddress() {
        return remote;
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

    /** Queues a datagram from the receive loop; false (and the caller keeps the buffer) if the queue is full. */
    boolean offer(ByteBuffer datagram) {
        if (stopped || inboundCount.incrementAndGet() > MAX_QUEUED_DATAGRAMS) {
            inboundCount.decrementAndGet();
            return false;
        }
        inbound.offer(datagram);
        wake();
        return true;
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

    private void run() {
        try {
            while (true) {
                long deadline;
                int length;
                boolean finished;
                lock.lock();
                try {
                    passes++;
                    long now = System.nanoTime();
                    ByteBuffer datagram;
                    while ((datagram = inbound.poll()) != null) {
                        inboundCount.decrementAndGet();
                        endpoint.count(state.onDatagram(datagram, now));
                        endpoint.releaseBuffer(datagram);
                    }
                    state.onTimers(now);
                    length = state.poll(out, now);
                    finished = length == 0 && state.isFinished();
                    deadline = length == 0 ? state.nextDeadlineNanos() : 0;
                    if (lock.hasWaiters(changed)) {
                        changed.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
                if (length > 0) {
                    send(length);
                    continue;
                }
                if (finished) {
                    return;
                }
                if (wakeup.getAndSet(false)) {
                    continue;
                }
                long waitNanos = deadline == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : deadline - System.nanoTime();
                if (waitNanos > 0) {
                    LockSupport.parkNanos(this, waitNanos);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("crust-udt connection {} failed internally", Long.toHexString(state.localId()), e);
            lock.lock();
            try {
                state.abort("internal error: " + e);
            } finally {
                lock.unlock();
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
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void send(int length) {
        out.flip();
        try {
            endpoint.send(out, remote);
        } catch (ClosedChannelException e) {
            lockedAbort("the endpoint was closed");
        } catch (IOException e) {
            if (length > 1200 && String.valueOf(e.getMessage()).contains("too long")) {
                lock.lock();
                try {
                    state.onDatagramTooLarge();
                } finally {
                    lock.unlock();
                }
            } else {
                LOG.debug("send to {} failed: {}", remote, e.toString()); // treated as a lost packet
            }
        }
    }

    private void lockedAbort(String why) {
        lock.lock();
        try {
            state.abort(why);
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
            return changed.awaitNanos(nanos);
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
     * Appends one message (length, then bytes). With {@code timeoutNanos < 0} waits as long as needed.
     *
     * @return false if the timeout passed before any of it was queued
     */
    public boolean sendMessage(byte[] src, int off, int len, long timeoutNanos) throws IOException {
        if (len > maxMessageBytes) {
            throw new UdtException("message of " + len + " bytes exceeds maxMessageBytes " + maxMessageBytes);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            if (timeoutNanos < 0) {
                sendOrder.lockInterruptibly();
            } else if (!sendOrder.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
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
                    awaitInterruptibly(left);
                }
                checkWritable();
                header[0] = (byte) (len >>> 24);
                header[1] = (byte) (len >>> 16);
                header[2] = (byte) (len >>> 8);
                header[3] = (byte) len;
                state.write(header, 0, HEADER_BYTES);
                int done = 0;
                boolean unsent = true; // the header is new data for the connection thread
                while (done < len) {
                    int n = state.write(src, off + done, len - done);
                    done += n;
                    unsent |= n > 0;
                    if (n == 0) {
                        // Wake the connection thread only for new data: it signals waiters on every
                        // pass, so a wake per empty pass made the two threads spin on a full buffer.
                        if (unsent) {
                            wake();
                            unsent = false;
                        }
                        checkWritable();
                        awaitInterruptibly(-1);
                    }
                }
            } finally {
                lock.unlock();
            }
        } finally {
            sendOrder.unlock();
        }
        wake();
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

    /** Waits on the condition; {@code nanos < 0} waits up to a second (callers loop and re-check). */
    private void awaitInterruptibly(long nanos) throws InterruptedIOException {
        try {
            changed.awaitNanos(nanos < 0 ? TimeUnit.SECONDS.toNanos(1) : nanos);
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
        try {
            if (timeoutNanos < 0) {
                receiveOrder.lockInterruptibly();
            } else if (!receiveOrder.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
        try {
            lock.lock();
            try {
                while (state.readableBytes() < HEADER_BYTES) {
                    checkReadable();
                    if (timeoutNanos >= 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return null;
                        }
                        awaitInterruptibly(left);
                    } else {
                        awaitInterruptibly(-1);
                    }
                }
                state.read(header, 0, HEADER_BYTES);
                int len = ((header[0] & 0xFF) << 24) | ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8)
                        | (header[3] & 0xFF);
                if (len < 0 || len > maxMessageBytes) {
                    state.abort("peer announced a message of " + Integer.toUnsignedString(len)
                            + " bytes, above maxMessageBytes " + maxMessageBytes);
                    wake();
                    throw new UdtException(state.failure());
                }
                byte[] message = new byte[len];
                int done = 0;
                boolean consumed = true; // the header left the buffer: the window may have opened
                while (done < len) {
                    int n = state.read(message, done, len - done);
                    done += n;
                    consumed |= n > 0;
                    if (n == 0) {
                        // As in sendMessage: wake the connection thread (to advertise the opened
                        // window) only after reading something, or the two threads spin.
                        if (consumed) {
                            wake();
                            consumed = false;
                        }
                        checkReadable();
                        awaitInterruptibly(-1);
                    }
                }
                return message;
            } finally {
                lock.unlock();
                wake(); // reading may have opened the receive window
            }
        } finally {
            receiveOrder.unlock();
        }
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
                    left = changed.awaitNanos(left);
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
        }
    }

    /** Immediate close. */
    public void abort() {
        lock.lock();
        try {
            closeCalled = true;
            state.abort("aborted by the application");
            if (stopped) {
                state.releaseBuffers();
            }
        } finally {
            lock.unlock();
        }
        wake();
    }

    /** Aborts and waits (bounded) for the connection thread to end; used when the endpoint closes. */
    void abortAndJoin(String why, long timeoutNanos) {
        lockedAbort(why);
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
