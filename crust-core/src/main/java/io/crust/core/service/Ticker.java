package io.crust.core.service;

import io.crust.core.CrustEvent;
import io.crust.core.Route;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.wire.WireMessage;
import java.time.Duration;

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

    private final Node node;
    private final long intervalNanos;
    private final long timeoutNanos;
    private long lastHeartbeatNanos;
    private long lastUpgradeNanos;
    private long lastPublishNanos;

    Ticker(Node node) {
        this.node = node;
        this.intervalNanos = node.config.heartbeatInterval().toNanos();
        this.timeoutNanos = node.config.heartbeatTimeout().toNanos();
        this.lastHeartbeatNanos = System.nanoTime();
        this.lastUpgradeNanos = System.nanoTime();
        this.lastPublishNanos = System.nanoTime();
    }

    void run() {
        long tickMillis = Math.max(10, Math.min(1000, node.config.heartbeatInterval().toMillis() / 4));
        while (!node.isClosed()) {
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
        for (PeerConnection c : node.table.allConnections()) {
            long silentNanos = now - c.lastSignOfLifeNanos();
            if (silentNanos > timeoutNanos && !c.isDelivering()) {
                c.close(CloseCause.lost(CrustEvent.PeerLost.Reason.HEARTBEAT_TIMEOUT, "no heartbeat for " + Duration.ofNanos(silentNanos).toMillis() + " ms"));
            } else if (beat) {
                c.sendControl(new WireMessage.Heartbeat());
            }
        }
        node.table.expireOrphans(now, node.config.handshakeTimeout().toNanos());
        if (now - lastUpgradeNanos >= UPGRADE_EVERY_NANOS) {
            lastUpgradeNanos = now;
            for (PeerHandle h : node.table.handles()) {
                if (h.route() == Route.RELAYED) {
                    node.router.rendezvous().retryDirect(h.id());
                }
            }
        }
        if (now - lastPublishNanos >= PUBLISH_EVERY_NANOS) {
            lastPublishNanos = now;
            node.router.publishOwnRecord();
        }
        node.router.maintainGroup(now);
        node.router.bootstrap().flushCache();
    }
}
