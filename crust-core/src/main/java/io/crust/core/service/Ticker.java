package io.crust.core.service;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.wire.WireMessage;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The node's clock-driven work, on one thread ({@code crust-ticker}) owned by the node: heartbeats,
 * liveness, background upgrades of relayed peers, re-publishing our gossip record, group maintenance and
 * writing the bootstrap cache's changes. A tick runs every quarter
 * heartbeat interval (at most every second).
 *
 * <p>{@link #tick} decides from the node's clock alone (the one its connections read), so tests drive it
 * on a manual clock; only {@link #run}'s sleep between ticks is real time.
 */
final class Ticker {
    /** The work a tick hands to the node's other services. */
    record Jobs(Consumer<PeerId> retryDirect, Runnable publishOwnRecord, LongConsumer groupTick, Runnable flushCache) {
    }

    /**
     * How often a relayed peer gets a new try at a direct path (skipped while its last try still runs):
     * a path that becomes possible is taken within a few seconds.
     */
    private static final long UPGRADE_EVERY_NANOS = Duration.ofSeconds(3).toNanos();
    /** A third of the gossip records' maximum age (30 min), as the gossip rules ask. */
    private static final long PUBLISH_EVERY_NANOS = Duration.ofMinutes(10).toNanos();

    private final PeerTable table;
    private final Jobs jobs;
    private final BooleanSupplier nodeClosed;
    private final LongSupplier nanoClock;
    private final long tickMillis;
    private final long graceNanos;
    private final long intervalNanos;
    private final long timeoutNanos;
    private long lastHeartbeatNanos;
    private long lastUpgradeNanos;
    private long lastPublishNanos;

    Ticker(CrustConfig config, PeerTable table, Jobs jobs, BooleanSupplier nodeClosed, LongSupplier nanoClock) {
        this.table = table;
        this.jobs = jobs;
        this.nodeClosed = nodeClosed;
        this.nanoClock = nanoClock;
        this.tickMillis = Math.max(10, Math.min(1000, config.heartbeatInterval().toMillis() / 4));
        this.graceNanos = config.handshakeTimeout().toNanos();
        this.intervalNanos = config.heartbeatInterval().toNanos();
        this.timeoutNanos = config.heartbeatTimeout().toNanos();
        long now = nanoClock.getAsLong();
        this.lastHeartbeatNanos = now;
        this.lastUpgradeNanos = now;
        this.lastPublishNanos = now;
    }

    void run() {
        while (!nodeClosed.getAsBoolean()) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            tick(nanoClock.getAsLong());
        }
    }

    void tick(long now) {
        boolean beat = now - lastHeartbeatNanos >= intervalNanos;
        if (beat) {
            lastHeartbeatNanos = now;
        }
        for (PeerConnection c : table.allConnections()) {
            long silentNanos = now - c.lastSignOfLifeNanos();
            if (silentNanos > timeoutNanos && !c.isDelivering()) {
                c.close(CloseCause.lost(CrustEvent.PeerLost.Reason.HEARTBEAT_TIMEOUT, "no heartbeat for " + Duration.ofNanos(silentNanos).toMillis() + " ms"));
            } else if (beat) {
                c.sendControl(new WireMessage.Heartbeat());
                c.acknowledgeIfBehind();
            }
        }
        table.expireOrphans(now, graceNanos);
        if (now - lastUpgradeNanos >= UPGRADE_EVERY_NANOS) {
            lastUpgradeNanos = now;
            for (PeerHandle h : table.handles()) {
                if (h.route() == Route.RELAYED) {
                    jobs.retryDirect().accept(h.id());
                }
            }
        }
        if (now - lastPublishNanos >= PUBLISH_EVERY_NANOS) {
            lastPublishNanos = now;
            jobs.publishOwnRecord().run();
        }
        jobs.groupTick().accept(now);
        jobs.flushCache().run();
    }
}
