package io.crust.core.service;

import io.crust.core.CrustEvent;
import io.crust.core.PeerId;
import io.crust.core.jfr.ConnectionUpgradedEvent;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Duplicate settling (docs/connection-group.md): of a peer's connections the best by
 * {@link ConnectionRanking} carries the traffic and every other one is retired; a failure that may
 * have lost messages is told to the application rather than hidden by a silent move; and a
 * connection delivers only once every lower-ranked one has delivered its last message. The decisions
 * only: the {@link PeerTable} calls each under its lock, with the peers' rows, and emits the events
 * they add to {@code toEmit} in order. The rows are the table's; this class changes them only when the
 * table asks.
 *
 * <p>Threads: any, under the peer table's lock.
 */
final class Settling {
    private final Map<PeerId, PeerEntry> entries;
    private final ConnectionRanking order;
    private final int maxMessageBytes;
    private final int inboxMessages;
    private final Consumer<PeerHandle> closePeer;
    private final long switchWaitNanos;

    /**
     * @param entries the table's rows, guarded by its lock
     * @param closePeer what a new handle's {@code close()} does
     */
    Settling(Map<PeerId, PeerEntry> entries, ConnectionRanking order, int maxMessageBytes, int inboxMessages,
            Consumer<PeerHandle> closePeer, long resumeWindowNanos) {
        this.entries = entries;
        this.order = order;
        this.maxMessageBytes = maxMessageBytes;
        this.inboxMessages = inboxMessages;
        this.closePeer = closePeer;
        // A send waits for the next connection at least as long as a broken one may take to be continued.
        this.switchWaitNanos = Math.max(PeerHandle.SWITCH_WAIT_NANOS, resumeWindowNanos);
    }

    /**
     * A freshly authenticated connection joins its peer's row: a new handle for a peer not (or no
     * longer) open, else the best connection carries the traffic. Returns the row.
     */
    PeerEntry added(PeerConnection connection, List<CrustEvent> toEmit) {
        PeerEntry entry = entries.get(connection.remote());
        if (entry == null || !entry.handle.isOpen()) {
            // A peer closed by the application whose connections are still going: the new
            // connection starts a new handle; the old connections stay listed only until they end.
            return newHandle(entry, connection, toEmit);
        }
        PeerConnection current = entry.handle.current();
        boolean currentEnding = !current.isOpen() && entry.connections.contains(current);
        entry.connections.add(connection);
        if (!currentEnding) {
            settle(entry, toEmit); // also when the peer retired the current one, already gone
        }
        // else the current connection is closed but not yet removed: its removal decides (see removed)
        return entry;
    }

    /**
     * {@code connection}, already taken out of {@code entry.connections}, ended with {@code cause}: keep
     * the handle for a replacement, end the peer, restart it, or move it to the best connection left.
     */
    void removed(PeerEntry entry, PeerConnection connection, CloseCause cause, boolean tableClosed, long nowNanos,
            List<CrustEvent> toEmit) {
        if (entry.connections.isEmpty() && entry.handle.isOpen() && cause.quiet() && !tableClosed
                && (connection.isRetiring() || entry.handle.current().isRetiring())) {
            // The peer retired our last connection because it has a better one that has not
            // registered here yet: keep the handle (sends wait for it) until expireOrphans. The last
            // to end may also be a connection of an earlier handle the application closed (it came
            // with the row) after the handle's own, retired, connection.
            entry.orphanSinceNanos = nowNanos;
        } else if (entry.connections.isEmpty()) {
            entries.remove(connection.remote());
            boolean wasOpen = entry.handle.isOpen();
            entry.handle.markClosed(cause.reason());
            // An open handle never ends without a word: the application was told of it (PeerConnected).
            if (wasOpen && !tableClosed) {
                toEmit.add(cause.quiet()
                        ? new CrustEvent.PeerLost(connection.remote(), CrustEvent.PeerLost.Reason.CONNECTION_LOST,
                                "its last connection ended: " + cause.reason())
                        : new CrustEvent.PeerLost(connection.remote(), cause.lost(), cause.reason()));
            }
        } else if (!cause.quiet() && !tableClosed && entry.handle.isOpen() && mayHaveLostMessages(entry, connection)) {
            restart(entry, connection, cause, toEmit);
        } else if (entry.handle.current() == connection) {
            settle(entry, toEmit);
        }
        entry.carriers.remove(connection);
    }

    /**
     * Ends peers whose last connection was retired more than {@code graceNanos} ago without a
     * replacement: they are lost after all.
     */
    void expireOrphans(long nowNanos, long graceNanos, List<CrustEvent> toEmit) {
        var it = entries.values().iterator();
        while (it.hasNext()) {
            PeerEntry entry = it.next();
            if (entry.broken == null && entry.connections.isEmpty() && nowNanos - entry.orphanSinceNanos > graceNanos) {
                it.remove();
                if (!entry.handle.isOpen()) {
                    continue; // the application closed it meanwhile: it hears nothing more of it
                }
                String why = "its connection was retired and the replacement never came";
                entry.handle.markClosed(why);
                toEmit.add(new CrustEvent.PeerLost(entry.handle.id(), CrustEvent.PeerLost.Reason.REPLACEMENT_NEVER_CAME, why));
            }
        }
    }

    /**
     * The handle that a message arriving on {@code connection} goes to: the peer's open handle. Or, when
     * a failure ended the peer's handle ({@link #restart} with no live connection left) while this
     * connection, one we were retiring, still delivers: the peer sends on it until our RETIRE reaches
     * it, and counts what it sent as delivered once the RETIREs have passed. Such a message starts a new
     * {@code Peer} on the connection ({@code PeerConnected}), which waits for the peer's next
     * connection as an orphan does. Empty for a peer the application closed: its last messages go with
     * its connections.
     */
    Optional<PeerHandle> handleForDelivery(PeerConnection connection, boolean tableClosed, List<CrustEvent> toEmit) {
        PeerEntry entry = entries.get(connection.remote());
        if (entry == null || connection.deliveriesDiscarded() || !entry.connections.contains(connection)) {
            return Optional.empty();
        }
        if (entry.handle.isOpen()) {
            return Optional.of(entry.handle);
        }
        // Open or not: a closed connection's reader (or its turn thread) may still be handing over
        // what arrived before the end; the connection leaves the list only once that is done.
        if (tableClosed || !entry.endedByFailure) {
            return Optional.empty();
        }
        return Optional.of(newHandle(entry, connection, toEmit).handle);
    }

    /**
     * True when a connection that failed may have taken application messages with it: it is the
     * handle's current connection, or an earlier one that carried messages and was still draining them
     * (its RETIRE exchange had not finished). The peer's end of it may never have registered at all:
     * a late attempt that the peer cancelled once our side of the handshake had finished.
     */
    private static boolean mayHaveLostMessages(PeerEntry entry, PeerConnection connection) {
        return entry.handle.current() == connection
                || (entry.carriers.contains(connection) && connection.sentApplicationData());
    }

    /**
     * A connection the application's messages went over failed while the peer has another one (see
     * {@link #mayHaveLostMessages}). What was queued on it or still in flight may be lost, so the
     * application hears it ({@code PeerLost}) and gets the other connection as a new peer
     * ({@code PeerConnected}), as after a reconnect; moving the handle without a word would hide the
     * loss. Retiring connections stay listed under the closed handle until they end.
     */
    private void restart(PeerEntry entry, PeerConnection failed, CloseCause cause, List<CrustEvent> toEmit) {
        entry.handle.markClosed(cause.reason());
        toEmit.add(new CrustEvent.PeerLost(failed.remote(), cause.lost(), cause.reason()));
        List<PeerConnection> live = live(entry);
        if (!live.isEmpty()) {
            settle(newHandle(entry, live.stream().max(order).orElseThrow(), toEmit), toEmit);
        } else {
            entry.endedByFailure = true; // see handleForDelivery
        }
    }

    /**
     * Starts a new handle on {@code current} ({@code PeerConnected}), listing {@code old}'s connections
     * (if any) under it as well: those of a closed handle that are still ending.
     */
    PeerEntry newHandle(PeerEntry old, PeerConnection current, List<CrustEvent> toEmit) {
        PeerEntry fresh = new PeerEntry(new PeerHandle(current, maxMessageBytes, inboxMessages, closePeer, switchWaitNanos));
        if (old != null) {
            fresh.connections.addAll(old.connections);
        }
        if (!fresh.connections.contains(current)) {
            fresh.connections.add(current);
        }
        entries.put(current.remote(), fresh);
        toEmit.add(new CrustEvent.PeerConnected(fresh.handle, current.route(), current.transport()));
        return fresh;
    }

    /** The peer's connections that are open, not being retired and not being dropped (see {@link Resumptions}). */
    private static List<PeerConnection> live(PeerEntry entry) {
        return entry.connections.stream().filter(c -> c.isOpen() && !c.isRetiring() && !c.deliveriesDiscarded()).toList();
    }

    void settle(PeerEntry entry, List<CrustEvent> toEmit) {
        List<PeerConnection> live = live(entry);
        if (live.isEmpty()) {
            return; // the handle stays; a send waits for the next connection (PeerHandle.send)
        }
        PeerConnection best = live.stream().max(order).orElseThrow();
        PeerConnection before = entry.handle.current();
        if (best != before) {
            entry.handle.switchTo(best);
            entry.carriers.add(best);
            if (before.route() != best.route() || before.transport() != best.transport()) {
                toEmit.add(new CrustEvent.ConnectionUpgraded(best.remote(), before.route(), best.route(),
                        best.transport(), best.remoteAddress()));
                recordUpgrade(before, best);
            }
        }
        for (PeerConnection other : live) {
            if (other != best) {
                other.retire();
            }
        }
    }

    private static void recordUpgrade(PeerConnection before, PeerConnection best) {
        ConnectionUpgradedEvent upgraded = new ConnectionUpgradedEvent();
        if (upgraded.isEnabled()) {
            upgraded.peer = best.remote().toString();
            upgraded.fromRoute = before.route().name();
            upgraded.fromTransport = before.transport().name();
            upgraded.toRoute = best.route().name();
            upgraded.toTransport = best.transport().name();
            upgraded.commit();
        }
    }

    /**
     * True while a lower-ranked connection of the same peer has not yet delivered its last message:
     * the peer sent that first (see {@link PeerTable#awaitTurn}).
     */
    boolean olderStillDelivering(PeerConnection connection) {
        PeerEntry entry = entries.get(connection.remote());
        if (entry == null) {
            return false;
        }
        for (PeerConnection other : entry.connections) {
            // Closed is not enough: its reader may still be handing over its last messages. It leaves
            // the list (remove, from onClosed) only once its reader has ended.
            if (other != connection && !other.retireReceived() && order.compare(other, connection) < 0) {
                return true;
            }
        }
        return false;
    }
}
