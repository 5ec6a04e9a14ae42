package io.crust.nat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link DatagramPort} over a socket whose receive loop belongs to someone else, such as
 * crust-udt's endpoint: that loop {@link #offer offers} the datagrams meant for crust-nat (STUN,
 * first byte 0-3), and sends go out through the owner's raw send.
 *
 * <p>The queue is bounded: when nobody reads, the oldest datagram is dropped, as a full socket
 * buffer would.
 */
public final class QueuedDatagramPort implements DatagramPort {

    /** The owner's way to send one datagram on the shared socket. */
    @FunctionalInterface
    public interface RawSender {
        /**
         * Sends one datagram on the shared socket, from any thread.
         *
         * @param data   the payload, from its position to its limit
         * @param target where to send it
         * @throws IOException when the socket fails or is closed
         */
        void send(ByteBuffer data, InetSocketAddress target) throws IOException;
    }

    private static final int DEFAULT_CAPACITY = 1024;

    private final InetSocketAddress localAddress;
    private final RawSender sender;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private boolean closed;

    /**
     * A port that queues up to 1024 datagrams.
     *
     * @param localAddress the shared socket's local address, reported by {@link #localAddress()}
     * @param sender       the owner's send on the shared socket
     */
    public QueuedDatagramPort(InetSocketAddress localAddress, RawSender sender) {
        this(localAddress, sender, DEFAULT_CAPACITY);
    }

    /**
     * A port with a chosen queue bound.
     *
     * @param localAddress the shared socket's local address, reported by {@link #localAddress()}
     * @param sender       the owner's send on the shared socket
     * @param capacity     how many unread datagrams are kept before the oldest is dropped, at least 1
     * @throws IllegalArgumentException if capacity is under 1
     */
    public QueuedDatagramPort(InetSocketAddress localAddress, RawSender sender, int capacity) {
        this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
        this.sender = Objects.requireNonNull(sender, "sender");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Hands one received datagram to this port (called by the socket's owner). The bytes are
     * copied; a full queue drops its oldest datagram.
     *
     * @param data the datagram's payload, from its position to its limit (not consumed)
     * @param from its sender
     * @return false when the port is closed and the datagram was not taken
     */
    public boolean offer(ByteBuffer data, InetSocketAddress from) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            if (queue.size() == capacity) {
                queue.pollFirst();
            }
            queue.addLast(new Datagram(copy, from));
            arrived.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void send(ByteBuffer data, InetSocketAddress target) throws IOException {
        if (isClosed()) {
            throw new ClosedChannelException();
        }
        sender.send(data, target);
    }

    @Override
    public Datagram receive(Duration timeout) throws IOException {
        long remainingNanos = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                Datagram next = queue.pollFirst();
                if (next != null) {
                    return next;
                }
                if (remainingNanos <= 0) {
                    throw new SocketTimeoutException("no datagram within " + timeout.toMillis() + " ms");
                }
                remainingNanos = arrived.awaitNanos(remainingNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a datagram");
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Closes this view; the shared socket stays open (its owner closes it). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
