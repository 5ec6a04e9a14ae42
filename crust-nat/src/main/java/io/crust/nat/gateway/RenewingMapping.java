package io.crust.nat.gateway;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.PortMapping;
import io.crust.nat.log.RateLimitedLog;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A granted lease kept alive by its own virtual thread until {@link #close()}.
 *
 * <p>The thread follows a {@link MappingSchedule}: it sleeps until the renewal or the next check is due,
 * renews by sending the same request again (that is how all three protocols extend a lease), and checks in
 * between with {@link GatewayLease#stillMapped()}. A check that finds the mapping gone (the gateway rebooted
 * and lost its table) makes the renewal run at once, which re-creates the mapping.
 * {@link #gatewayAnnouncedRestart()}, for a gateway's restart announcement, wakes the thread to renew. A failed renewal is retried after 1 s,
 * doubling up to 60 s, also after the lease ran out: a gateway that comes back gets the mapping again. The
 * new external port, if it changed, is what {@link #external()} returns from then on.
 */
public final class RenewingMapping implements PortMapping {
    private static final Logger LOG = LoggerFactory.getLogger(RenewingMapping.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(15);

    private final GatewayLease lease;
    private final IpProtocol transport;
    private final int internalPort;
    private final Runnable onClosed;
    private final LongSupplier nanoClock;
    private final RateLimitedLog lostStateLog = new RateLimitedLog(LOG);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final MappingSchedule schedule;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /** An announcement came since the last renewal; guarded by {@link #lock}. */
    private boolean announced;
    private volatile Grant grant;
    private final Thread renewer;

    private RenewingMapping(GatewayLease lease, IpProtocol transport, int internalPort, Grant first,
            Duration checkInterval, LongSupplier nanoClock, Runnable onClosed) {
        this.lease = lease;
        this.transport = transport;
        this.internalPort = internalPort;
        this.grant = first;
        this.onClosed = onClosed;
        this.nanoClock = nanoClock;
        this.schedule = new MappingSchedule(checkInterval, first.renewIn(), nanoClock.getAsLong());
        String name = "crust-nat-renew-" + first.protocol().label() + "-" + transport.label() + "-" + internalPort
                + "-" + IDS.incrementAndGet();
        this.renewer = Thread.ofVirtual().name(name).unstarted(this::renewUntilClosed);
    }

    /** Starts renewing a lease that {@code first} was granted for, without checks between renewals. */
    public static RenewingMapping start(GatewayLease lease, IpProtocol transport, int internalPort, Grant first,
            Runnable onClosed) {
        return start(lease, transport, internalPort, first, Duration.ZERO, System::nanoTime, onClosed);
    }

    /**
     * Starts renewing a lease that {@code first} was granted for and checking it every {@code checkInterval}
     * (zero: never); {@code onClosed} runs once after close.
     */
    public static RenewingMapping start(GatewayLease lease, IpProtocol transport, int internalPort, Grant first,
            Duration checkInterval, LongSupplier nanoClock, Runnable onClosed) {
        RenewingMapping mapping = new RenewingMapping(lease, transport, internalPort, first, checkInterval, nanoClock,
                onClosed);
        mapping.renewer.start();
        return mapping;
    }

    /** The gateway announced a restart: request the mapping again soon (see {@link MappingSchedule#announced}). */
    public void gatewayAnnouncedRestart() {
        lock.lock();
        try {
            announced = true;
            schedule.announced(nanoClock.getAsLong());
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void renewUntilClosed() {
        MappingSchedule.Action action;
        while ((action = awaitDue()) != null) {
            if (action == MappingSchedule.Action.CHECK) {
                check();
            } else {
                renew(false);
            }
        }
    }

    private void check() {
        boolean stillMapped;
        try {
            stillMapped = lease.stillMapped();
        } catch (NatException e) {
            LOG.debug("checking {} mapping {} got no answer: {}", grant.protocol().label(), grant.external(), e.getMessage());
            update(s -> s.checkFailed(nanoClock.getAsLong()));
            return;
        }
        update(s -> s.checked(stillMapped, nanoClock.getAsLong()));
        if (!stillMapped) {
            LOG.debug("{} gateway no longer holds mapping {}: re-creating it", grant.protocol().label(), grant.external());
            renew(true);
        }
    }

    private void renew(boolean afterLoss) {
        try {
            Grant previous = grant;
            boolean afterAnnouncement = takeAnnounced();
            Grant next = lease.acquire();
            grant = next;
            // one line per loss, and at most one per interval: a gateway could fake losses at will
            if (next.gatewayLostState() || afterLoss) {
                lostStateLog.info("{} gateway had lost mapping {} (rebooted?): re-created as {}",
                        next.protocol().label(), internalPort, next.external());
            } else if (afterAnnouncement) {
                lostStateLog.info("{} gateway announced a restart: mapping {} requested again as {}",
                        next.protocol().label(), internalPort, next.external());
            } else if (!next.external().equals(previous.external())) {
                LOG.warn("{} mapping {} moved from {} to {}", next.protocol().label(), internalPort,
                        previous.external(), next.external());
            } else {
                LOG.debug("{} mapping {} renewed for {}", next.protocol().label(), next.external(), next.lifetime());
            }
            update(s -> s.granted(next.renewIn(), nanoClock.getAsLong()));
        } catch (NatException e) {
            if (isClosed()) {
                return;
            }
            update(s -> s.renewalFailed(nanoClock.getAsLong()));
            LOG.warn("renewing {} mapping {} failed, retrying: {}", grant.protocol().label(), grant.external(),
                    e.getMessage());
        }
    }

    private boolean takeAnnounced() {
        lock.lock();
        try {
            boolean was = announced;
            announced = false;
            return was;
        } finally {
            lock.unlock();
        }
    }

    private void update(Consumer<MappingSchedule> change) {
        lock.lock();
        try {
            change.accept(schedule);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the schedule has something due; null when closed. */
    private MappingSchedule.Action awaitDue() {
        lock.lock();
        try {
            while (!closed) {
                long now = nanoClock.getAsLong();
                MappingSchedule.Action action = schedule.due(now);
                if (action != MappingSchedule.Action.NOTHING) {
                    return action;
                }
                long waitNanos = schedule.waitNanos(now);
                if (waitNanos == Long.MAX_VALUE) {
                    wake.await();
                } else {
                    wake.awaitNanos(waitNanos);
                }
            }
            return null;
        } catch (InterruptedException e) {
            return null;
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
            wake.signalAll();
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
