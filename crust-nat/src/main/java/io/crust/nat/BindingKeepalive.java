package io.crust.nat;

import io.crust.nat.stun.StunMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a NAT binding open by sending a STUN Binding indication to {@code remote} at a fixed
 * interval (RFC 8445 section 11 does the same for ICE). Indications need no answer and STUN
 * servers ignore them, so this costs one 28-byte datagram per interval.
 *
 * <p>RFC 4787 REQ-5 asks NATs to keep idle UDP bindings at least 2 minutes, yet many expire them
 * after 30 s (Linux conntrack's unreplied timeout is 30 s); the default of 15 s leaves a margin.
 * The sending virtual thread is owned by this object and stops on {@link #close()}.
 */
public final class BindingKeepalive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BindingKeepalive.class);
    /** 15 s: half of the 30 s after which many NATs drop an idle binding. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    /** The ceiling: no default above 25 s. */
    public static final Duration MAX_INTERVAL = Duration.ofSeconds(25);

    private final DatagramPort port;
    private final InetSocketAddress remote;
    private final Duration interval;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stopped = lock.newCondition();
    private final AtomicLong sent = new AtomicLong();
    private boolean closed;
    private final Thread thread;

    private BindingKeepalive(DatagramPort port, InetSocketAddress remote, Duration interval) {
        this.port = port;
        this.remote = remote;
        this.interval = interval;
        this.thread = Thread.ofVirtual().name("crust-nat-keepalive-" + remote.getPort()).unstarted(this::run);
    }

    /**
     * Starts with {@link #DEFAULT_INTERVAL}.
     *
     * @param port   the socket whose binding is kept; not closed by the keepalive
     * @param remote the address the binding leads to, usually the peer's
     * @return the running keepalive; close it to stop sending
     */
    public static BindingKeepalive start(DatagramPort port, InetSocketAddress remote) {
        return start(port, remote, DEFAULT_INTERVAL);
    }

    /**
     * Starts sending now, then every {@code interval}. Send failures are logged at debug level and do not stop it.
     *
     * @param port     the socket whose binding is kept; not closed by the keepalive
     * @param remote   the address the binding leads to, usually the peer's
     * @param interval the time between two indications, at least 10 ms
     * @return the running keepalive; close it to stop sending
     * @throws IllegalArgumentException if interval is under 10 ms
     */
    public static BindingKeepalive start(DatagramPort port, InetSocketAddress remote, Duration interval) {
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(remote, "remote");
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("keepalive interval must be at least 10 ms: " + interval);
        }
        BindingKeepalive k = new BindingKeepalive(port, remote, interval);
        k.thread.start();
        return k;
    }

    /** {@return the indication this sends: a Binding indication with a fresh transaction ID and FINGERPRINT} */
    public static java.nio.ByteBuffer indication() {
        return StunMessage.builder(StunMessage.BINDING_INDICATION, StunMessage.newTransactionId()).encode();
    }

    private void run() {
        lock.lock();
        try {
            while (!closed) {
                lock.unlock();
                try {
                    port.send(indication(), remote);
                    sent.incrementAndGet();
                } catch (IOException e) {
                    LOG.debug("keepalive to {} failed: {}", remote, e.toString());
                } finally {
                    lock.lock();
                }
                long waitNanos = interval.toNanos();
                while (!closed && waitNanos > 0) {
                    waitNanos = stopped.awaitNanos(waitNanos);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many indications have been sent successfully} */
    public long sent() {
        return sent.get();
    }

    /** {@return the time between two indications} */
    public Duration interval() {
        return interval;
    }

    /** Stops sending; does not close the port. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            stopped.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
