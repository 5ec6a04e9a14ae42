package io.crust.core.service;

import io.crust.core.jfr.ConnectionUpgradedEvent;
import io.crust.core.CrustEvent;
import io.crust.core.PeerId;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Every live connection, grouped by peer id, and the {@link PeerHandle} the application sees for each
 * peer. Of a peer's connections the best by {@link ConnectionRanking} (an order both ends evaluate
 * alike) carries the traffic; every other one is retired (drained, then closed on both ends). A sender
 * only ever moves to a connection that ranks higher, so the receiver keeps order by delivering a
 * connection's messages only once every lower-ranked connection of that peer has delivered its last
 * one ({@link #awaitTurn}). {@link ConnectionLimits} decides which connections are taken at all.
 *
 * <p>Events are emitted in table order: the table lock is handed over to the event lock before it is
 * released, so a slow consumer never blocks the table itself.
 */
final class PeerTable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ReentrantLock eventOrder = new ReentrantLock(true);
    private final Map<PeerId, PeerEntry> entries = new HashMap<>();
    private final ConnectionRanking order;
    private final EventQueue events;
    private final ConnectionLimits limits;
    private final int maxMessageBytes;
    private final int inboxMessages;
    private boolean closed;
    private final LongSupplier nanoClock;
    private final Consumer<PeerId> dropped;

    /**
     * @param inboxMessages capacity of each peer's inbox, 0 when messages go to the events
     * @param dropped told the id of a peer the application closed, before its connections close
     * @param nanoClock the node's clock ({@code System::nanoTime}): when a handle became an orphan
     */
    PeerTable(PeerId self, EventQueue events, int maxConnections, int maxPerAddress, int maxPerPrefix,
            int maxMessageBytes, int inboxMessages, Consumer<PeerId> dropped, LongSupplier nanoClock) {
        this.dropped = dropped;
        this.nanoClock = nanoClock;
        this.order = new ConnectionRanking(self);
        this.events = events;
        this.limits = new ConnectionLimits(self, maxConnections, maxPerAddress, maxPerPrefix);
        this.maxMessageBytes = maxMessageBytes;
        this.inboxMessages = inboxMessages;
    }

    /**
     * Room for a connection a remote host dials from {@code source}, checked before its handshake (see
     * {@link ConnectionLimits#room}).
     */
    ConnectionLimits.Room roomForInbound(InetAddress source) {
        lock.lock();
        try {
            return limits.room(source, entries.values());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a freshly authenticated connection (not yet started) and returns the peer's handle, or null
     * if it was refused (limit reached or node closed): the caller then closes it.
     */
    PeerHandle add(PeerConnection connection) {
        List<CrustEvent> toEmit = new ArrayList<>(2);
        List<PeerConnection> toClose;
        PeerHandle handle;
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            toClose = limits.admit(connection, entries.values());
            if (toClose == null) {
                return null;
            }
            PeerEntry entry = entries.get(connection.remote());
            if (entry == null || !entry.handle.isOpen()) {
                // A peer closed by the application whose connections are still going: the new
                // connection starts a new handle; the old connections stay listed only until they end.
                entry = newHandle(entry, connection, toEmit);
            } else {
                PeerConnection current = entry.handle.current();
                boolean currentEnding = !current.isOpen() && entry.connections.contains(current);
                entry.connections.add(connection);
                if (!currentEnding) {
                    settle(entry, toEmit); // also when the peer retired the current one, already gone
                }
                // else the current connection is closed but not yet removed: its removal decides (see remove)
            }
            handle = entry.handle;
            changed.signalAll();
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
        for (PeerConnection c : toClose) {
            c.close(CloseCause.lost(CrustEvent.PeerLost.Reason.EVICTED, ConnectionLimits.EVICTED));
        }
        return handle;
    }

    /** A connection ended: forget it, move the handle or report the peer lost. */
    void remove(PeerConnection connection, CloseCause cause) {
        List<CrustEvent> toEmit = new ArrayList<>(2);
        lock.lock();
        try {
            PeerEntry entry = entries.get(connection.remote());
            if (entry == null || !entry.connections.remove(connection)) {
                return;
            }
            limits.removed(connection);
            if (entry.connections.isEmpty() && entry.handle.isOpen() && connection.isRetiring() && cause.quiet() && !closed) {
                // The peer retired our last connection because it has a better one that has not
                // registered here yet: keep the handle (sends wait for it) until expireOrphans.
                entry.orphanSinceNanos = nanoClock.getAsLong();
            } else if (entry.connections.isEmpty()) {
                entries.remove(connection.remote());
                boolean wasOpen = entry.handle.isOpen();
                entry.handle.markClosed(cause.reason());
                if (wasOpen && !cause.quiet() && !closed) {
                    toEmit.add(new CrustEvent.PeerLost(connection.remote(), cause.lost(), cause.reason()));
                }
            } else if (!cause.quiet() && !closed && entry.handle.isOpen() && mayHaveLostMessages(entry, connection)) {
                restart(entry, connection, cause, toEmit);
            } else if (entry.handle.current() == connection) {
                settle(entry, toEmit);
            }
            entry.carriers.remove(connection);
            changed.signalAll();
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
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
    private PeerEntry newHandle(PeerEntry old, PeerConnection current, List<CrustEvent> toEmit) {
        PeerEntry fresh = new PeerEntry(new PeerHandle(current, maxMessageBytes, inboxMessages, this::closePeer));
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

    /** The peer's connections that are open and not being retired. */
    private static List<PeerConnection> live(PeerEntry entry) {
        return entry.connections.stream().filter(c -> c.isOpen() && !c.isRetiring()).toList();
    }

    private void settle(PeerEntry entry, List<CrustEvent> toEmit) {
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
     * Blocks the delivery of {@code connection}'s messages while a lower-ranked connection to the same
     * peer has not yet received the peer's RETIRE and its reader has not ended: the peer sent those
     * messages first. Also once {@code connection} has closed: what it queued before its end still
     * follows the older connection's last messages.
     */
    void awaitTurn(PeerConnection connection) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!closed && olderStillDelivering(connection)) {
                // Signalled when a RETIRE arrives or a connection ends; the timeout is only a re-check.
                changed.await(1, TimeUnit.SECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** True when no lower-ranked connection of the peer still delivers (see {@link #awaitTurn}); never blocks. */
    boolean mayDeliverNow(PeerConnection connection) {
        lock.lock();
        try {
            return closed || !olderStillDelivering(connection);
        } finally {
            lock.unlock();
        }
    }

    private boolean olderStillDelivering(PeerConnection connection) {
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

    private void emitAndRelease(List<CrustEvent> toEmit) {
        try {
            for (CrustEvent event : toEmit) {
                events.putUninterruptibly(event);
            }
        } finally {
            eventOrder.unlock();
        }
    }

    /**
     * Ends peers whose last connection was retired more than {@code graceNanos} ago without a
     * replacement: they are lost after all.
     */
    void expireOrphans(long nowNanos, long graceNanos) {
        List<CrustEvent> toEmit = new ArrayList<>(1);
        lock.lock();
        try {
            // The ticker calls this every tick: it must not queue behind a blocked event emitter
            // (a full event queue) unless it has something to emit, or heartbeats would stop.
            if (entries.values().stream().noneMatch(e -> e.connections.isEmpty())) {
                return;
            }
            var it = entries.entrySet().iterator();
            while (it.hasNext()) {
                PeerEntry entry = it.next().getValue();
                if (entry.connections.isEmpty() && nowNanos - entry.orphanSinceNanos > graceNanos) {
                    it.remove();
                    String why = "its connection was retired and the replacement never came";
                    entry.handle.markClosed(why);
                    toEmit.add(new CrustEvent.PeerLost(entry.handle.id(), CrustEvent.PeerLost.Reason.REPLACEMENT_NEVER_CAME, why));
                }
            }
            changed.signalAll();
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
    }

    /** Closes every connection of the handle's peer, quietly (the user dropped it). */
    void closePeer(PeerHandle handle) {
        dropped.accept(handle.id());
        for (PeerConnection c : connectionsOf(handle.id())) {
            c.close(CloseCause.quiet("closed by the application"));
        }
    }

    /** Closes every connection of a peer with the given cause. */
    void closePeer(PeerId id, CloseCause cause) {
        for (PeerConnection c : connectionsOf(id)) {
            c.close(cause);
        }
    }

    List<PeerConnection> connectionsOf(PeerId id) {
        lock.lock();
        try {
            PeerEntry entry = entries.get(id);
            return entry == null ? List.of() : List.copyOf(entry.connections);
        } finally {
            lock.unlock();
        }
    }

    List<PeerConnection> allConnections() {
        lock.lock();
        try {
            return entries.values().stream().flatMap(e -> e.connections.stream()).toList();
        } finally {
            lock.unlock();
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
    Optional<PeerHandle> handleForDelivery(PeerConnection connection) {
        List<CrustEvent> toEmit = new ArrayList<>(1);
        PeerHandle handle;
        lock.lock();
        try {
            PeerEntry entry = entries.get(connection.remote());
            if (entry == null || !entry.connections.contains(connection)) {
                return Optional.empty();
            }
            if (entry.handle.isOpen()) {
                return Optional.of(entry.handle);
            }
            // Open or not: a closed connection's reader (or its turn thread) may still be handing over
            // what arrived before the end; the connection leaves the list only once that is done.
            if (closed || !entry.endedByFailure) {
                return Optional.empty();
            }
            handle = newHandle(entry, connection, toEmit).handle;
            changed.signalAll();
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
        return Optional.of(handle);
    }

    /** The peer's handle while it is open (not after {@code Peer.close()}, even if connections are still ending). */
    Optional<PeerHandle> handle(PeerId id) {
        lock.lock();
        try {
            PeerEntry entry = entries.get(id);
            return entry == null || !entry.handle.isOpen() ? Optional.empty() : Optional.of(entry.handle);
        } finally {
            lock.unlock();
        }
    }

    /** The open handles, without peers being evicted (their connections are closing; see {@link ConnectionLimits}). */
    List<PeerHandle> handles() {
        lock.lock();
        try {
            return entries.values().stream().filter(e -> e.handle.isOpen() && !limits.beingEvicted(e)).map(e -> e.handle).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code id} is connected, up to {@code timeoutNanos}. */
    Optional<PeerHandle> await(PeerId id, long timeoutNanos) throws InterruptedException {
        long remaining = timeoutNanos;
        lock.lockInterruptibly();
        try {
            while (true) {
                PeerEntry entry = entries.get(id);
                if (entry != null && entry.handle.isOpen()) {
                    return Optional.of(entry.handle);
                }
                if (remaining <= 0 || closed) {
                    return Optional.empty();
                }
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The remote retired a connection: move the handle off it if it was current. */
    void retired(PeerConnection connection) {
        List<CrustEvent> toEmit = new ArrayList<>(2);
        lock.lock();
        try {
            changed.signalAll(); // readers waiting in awaitTurn
            PeerEntry entry = entries.get(connection.remote());
            if (entry == null || entry.handle.current() != connection) {
                return;
            }
            settle(entry, toEmit);
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
    }

    /** Refuses new connections; returns those still open so the node can close them. */
    List<PeerConnection> close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
            return entries.values().stream().flatMap(e -> e.connections.stream()).toList();
        } finally {
            lock.unlock();
        }
    }
}
