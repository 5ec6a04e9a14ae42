package io.crust.nat.gateway;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper.IpProtocol;
import io.crust.nat.PortMapping;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A granted lease kept alive by its own virtual thread until {@link #close()}.
 *
 * <p>The renewal thread sleeps until the grant's {@code renewIn}, sends the same request again (that is how
 * all three protocols extend a lease), and loops. A failed renewal is retried after 1 s, doubling up to
 * 60 s, also after the lease ran out: a gateway that comes back gets the mapping again. When an answer shows
 * that the gateway lost its state (epoch went back), the renewal has just re-created the mapping; the
 * new external port, if it changed, is what {@link #external()} returns from then on.
 */
public final class RenewingMapping implements PortMapping {
    private static final Logger LOG = LoggerFactory.getLogger(RenewingMapping.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long MIN_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(15);

    private final GatewayLease lease;
    private final IpProtocol transport;
    private final int internalPort;
    private final Runnable onClosed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closing = lock.newCondition();
    private boolean closed;
    private volatile Grant grant;
    private final Thread renewer;

    private RenewingMapping(GatewayLease lease, IpProtocol transport, int internalPort, Grant first, Runnable onClosed) {
        this.lease = lease;
        this.transport = transport;
        this.internalPort = internalPort;
        this.grant = first;
        this.onClosed = onClosed;
        String name = "crust-nat-renew-" + first.protocol().label() + "-" + transport.label() + "-" + internalPort
                + "-" + IDS.incrementAndGet();
        this.renewer = Thread.ofVirtual().name(name).unstarted(this::renewUntilClosed);
    }

    /** Starts renewing a lease that {@code first} was granted for; {@code onClosed} runs once after close. */
    public static RenewingMapping start(GatewayLease lease, IpProtocol transport, int internalPort, Grant first,
            Runnable onClosed) {
        RenewingMapping mapping = new RenewingMapping(lease, transport, internalPort, first, onClosed);
        mapping.renewer.start();
        return mapping;
    }

    private void renewUntilClosed() {
        long waitNanos = grant.renewIn().toNanos();
        long retryNanos = MIN_RETRY_NANOS;
        while (awaitClosed(waitNanos) == false) {
            try {
                Grant previous = grant;
                Grant next = lease.acquire();
                grant = next;
                if (next.gatewayLostState()) {
                    LOG.info("{} gateway lost its state (epoch went back): mapping {} re-created as {}",
                            next.protocol().label(), internalPort, next.external());
                } else if (!next.external().equals(previous.external())) {
                    LOG.warn("{} mapping {} moved from {} to {}", next.protocol().label(), internalPort,
                            previous.external(), next.external());
                } else {
                    LOG.debug("{} mapping {} renewed for {}", next.protocol().label(), next.external(), next.lifetime());
                }
                waitNanos = next.renewIn().toNanos();
                retryNanos = MIN_RETRY_NANOS;
            } catch (NatException e) {
                if (isClosed()) {
                    return;
                }
                LOG.warn("renewing {} mapping {} failed, retrying in {} s: {}", grant.protocol().label(),
                        grant.external(), TimeUnit.NANOSECONDS.toSeconds(retryNanos), e.getMessage());
                waitNanos = retryNanos;
                retryNanos = Math.min(MAX_RETRY_NANOS, retryNanos * 2);
            }
        }
    }

    /** Waits up to {@code nanos} (0 = forever); true when closed. */
    private boolean awaitClosed(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (!closed) {
                if (nanos == 0) {
                    closing.await();
                } else {
                    if (left <= 0) {
                        return false;
                    }
                    left = closing.awaitNanos(left);
                }
            }
            return true;
        } catch (InterruptedException e) {
            return true;
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
    public InetSocketAddress external() {
        return grant.external();
    }

    @Override
    public int internalPort() {
        return internalPort;
    }

    @Override
    public IpProtocol ipProtocol() {
        return transport;
    }

    @Override
    public MappingProtocol protocol() {
        return grant.protocol();
    }

    @Override
    public Duration lifetime() {
        return grant.lifetime();
    }

    @Override
    public boolean doubleNat() {
        return grant.doubleNat();
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closing.signalAll();
        } finally {
            lock.unlock();
        }
        // A renewal in flight is cut short; the deletion below must not overlap with it.
        renewer.interrupt();
        try {
            if (!renewer.join(JOIN_TIMEOUT)) {
                LOG.warn("renewal thread {} did not stop within {}", renewer.getName(), JOIN_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            lease.release();
            LOG.debug("{} mapping {} deleted", grant.protocol().label(), grant.external());
        } catch (NatException e) {
            LOG.warn("deleting {} mapping {} failed (it expires with its lease): {}", grant.protocol().label(),
                    grant.external(), e.getMessage());
        } finally {
            onClosed.run();
        }
    }

    @Override
    public String toString() {
        return grant.protocol().label() + " " + transport.label() + " " + grant.external() + " -> :" + internalPort;
    }
}
