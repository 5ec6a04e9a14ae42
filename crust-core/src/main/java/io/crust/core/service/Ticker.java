package io.crust.core.service;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.Route;
import io.crust.core.connect.Rendezvous;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.wire.WireMessage;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The node's clock-driven work, on one thread ({@code crust-ticker}) owned by the node: heartbeats,
 * liveness, background upgrades of relayed peers, re-publishing our gossip record, group maintenance and
 * writing the bootstrap cache's changes. A tick runs every quarter
 * heartbeat interval (at most every second).
 */
final class Ticker {
    /**
     * How often a relayed peer gets a new try at a direct path (skipped while its last try still runs):
     * a path that becomes possible is taken within a few seconds.
     */
    private static final long UPGRADE_EVERY_NANOS = Duration.ofSeconds(3).toNanos();
    /** A third of the gossip records' maximum age (30 min), as the gossip rules ask. */
    private static final long PUBLISH_EVERY_NANOS = Duration.ofMinutes(10).toNanos();

    private final PeerTable table;
    private final Rendezvous rendezvous;
    private final GossipSide gossip;
    private final Group group;
    private final Bootstrap bootstrap;
    private final BooleanSupplier nodeClosed;
    private final long tickMillis;
    private final long graceNanos;
    private final long intervalNanos;
    private final long timeoutNanos;
    private long lastHeartbeatNanos;
    private long lastUpgradeNanos;
    private long lastPublishNanos;

    Ticker(CrustConfig config, PeerTable table, Rendezvous rendezvous, GossipSide gossip, Group group, Bootstrap bootstrap,
            BooleanSupplier nodeClosed) {
        this.table = table;
        this.rendezvous = rendezvous;
        this.gossip = gossip;
        this.group = group;
        this.bootstrap = bootstrap;
        this.nodeClosed = nodeClosed;
        this.tickMillis = Math.max(10, Math.min(1000, config.heartbeatInterval().toMillis() / 4));
        this.graceNanos = config.handshakeTimeout().toNanos();
        this.intervalNanos = config.heartbeatInterval().toNanos();
        this.timeoutNanos = config.heartbeatTimeout().toNanos();
        this.lastHeartbeatNanos = System.nanoTime();
        this.lastUpgradeNanos = System.nanoTime();
        this.lastPublishNanos = System.nanoTime();
    }

    void run() {
        while (!nodeClosed.getAsBoolean()) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            tick(System.nanoTime());
        }
    }

    private void tick(long now) {
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
            }
        }
        table.expireOrphans(now, graceNanos);
        if (now - lastUpgradeNanos >= UPGRADE_EVERY_NANOS) {
            lastUpgradeNanos = now;
            for (PeerHandle h : table.handles()) {
                if (h.route() == Route.RELAYED) {
                    rendezvous.retryDirect(h.id());
                }
            }
        }
        if (now - lastPublishNanos >= PUBLISH_EVERY_NANOS) {
            lastPublishNanos = now;
            gossip.publishOwnRecord();
        }
        group.tick(now);
        bootstrap.flushCache();
    }
}
