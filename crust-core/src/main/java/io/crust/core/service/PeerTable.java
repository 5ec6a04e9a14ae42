package io.crust.core.service;

import io.crust.core.jfr.ConnectionUpgradedEvent;
import io.crust.core.CrustEvent;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Every live connection, grouped by peer id, and the {@link PeerHandle} the application sees for each
 * peer. It settles duplicates with one order that both ends evaluate alike:
 *
 * <ol>
 *   <li>a direct connection beats a relayed one;
 *   <li>then TCP beats crust-udt;
 *   <li>then the connection dialled by the smaller peer id (unsigned key bytes) wins;
 *   <li>then the newer connection (registered later). Both ends register connections in the same
 *       order, except when one side dials twice at once and the handshakes finish in a different
 *       order at each end; then each end keeps a different one, both are retired, and the peer is
 *       reported lost after the handshake timeout (never silently: sends wait, then fail).
 * </ol>
 * Newer wins the tie because a peer that dials again while we still hold its old connection has
 * usually dropped that one (its GOODBYE may still be on the way).
 * The best connection carries the traffic; every other one is retired (drained, then closed on both
 * ends). Because the order is total and shared, a sender only ever moves to a connection that ranks
 * higher, so the receiver keeps order by delivering a connection's messages only once every
 * lower-ranked connection of that peer has delivered its last one ({@link #awaitTurn}).
 *
 * <p>Events are emitted in table order: the table lock is handed over to the event lock before it is
 * released, so a slow consumer never blocks the table itself.
 */
final class PeerTable {
    private static final class Entry {
        final PeerHandle handle;
        final List<PeerConnection> connections = new ArrayList<>();
        /** Every connection this handle has pointed at: the application's messages went over them. */
        final Set<PeerConnection> carriers = Collections.newSetFromMap(new IdentityHashMap<>());
        /** Set while the peer has no connection because its last one was retired: its replacement is coming. */
        long orphanSinceNanos;
        /** The handle was ended by a failure (not by the application) while retiring connections remained. */
        boolean endedByFailure;

        Entry(PeerHandle handle) {
            this.handle = handle;
            carriers.add(handle.current());
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ReentrantLock eventOrder = new ReentrantLock(true);
    private final Map<PeerId, Entry> entries = new HashMap<>();
    private final PeerId self;
    private final EventQueue events;
    private final int maxConnections;
    private final int maxPerAddress;
    private final int maxPerPrefix;
    private final int maxMessageBytes;
    private final int inboxMessages;
    private int connectionCount;
    /** Connections closed by {@link #evict} that have not been removed yet (they no longer count). */
    private final Set<PeerConnection> evicted = Collections.newSetFromMap(new IdentityHashMap<>());
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
        this.self = self;
        this.events = events;
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.maxPerPrefix = maxPerPrefix;
        this.maxMessageBytes = maxMessageBytes;
        this.inboxMessages = inboxMessages;
    }

    /** Whether an inbound connection from a source would be taken, checked before its handshake. */
    enum Room { YES, FULL, ADDRESS, PREFIX }

    /**
     * Room for a connection a remote host dials from {@code source}: under the per-address and
     * per-prefix limits, and under the total or with an idle unknown peer to evict (see {@link #add}).
     */
    Room roomForInbound(InetAddress source) {
        lock.lock();
        try {
            return room(source);
        } finally {
            lock.unlock();
        }
    }

    private Room room(InetAddress source) {
        long prefix = SourcePrefix.of(source);
        int fromAddress = 0;
        int fromPrefix = 0;
        for (Entry entry : entries.values()) {
            for (PeerConnection c : entry.connections) {
                if (c.isOpen() && isInbound(c) && c.remoteAddress() != null) {
                    InetAddress a = c.remoteAddress().getAddress();
                    fromAddress += a.equals(source) ? 1 : 0;
                    fromPrefix += SourcePrefix.of(a) == prefix ? 1 : 0;
                }
            }
        }
        if (fromAddress >= maxPerAddress) {
            return Room.ADDRESS;
        }
        if (fromPrefix >= maxPerPrefix) {
            return Room.PREFIX;
        }
        return connectionCount < maxConnections || evictable() != null ? Room.YES : Room.FULL;
    }

    /** The remote host dialled it (it may be a crowd); connections we dialled are ours. */
    private boolean isInbound(PeerConnection c) {
        return !c.initiator().equals(self);
    }

    /**
     * The peer to make room for a newcomer when the table is full: one the application has no use
     * for yet. Only a peer whose every connection it dialled itself and that never carried an
     * application message qualifies: never a peer this node dialled (the application, bootstrap, a
     * target or a group did), never one the application talks to. Among those, one from the prefix
     * holding the most connections, then the longest connected. Null if there is none.
     */
    private Entry evictable() {
        Map<Long, Integer> perPrefix = new HashMap<>();
        List<Entry> candidates = new ArrayList<>();
        for (Entry entry : entries.values()) {
            boolean idleUnknown = entry.handle.isOpen() && !entry.connections.isEmpty();
            for (PeerConnection c : entry.connections) {
                idleUnknown &= c.isOpen() && !evicted.contains(c) && isInbound(c) && !c.carriedApplicationData() && c.remoteAddress() != null;
                if (c.remoteAddress() != null) {
                    perPrefix.merge(SourcePrefix.of(c.remoteAddress().getAddress()), 1, Integer::sum);
                }
            }
            if (idleUnknown) {
                candidates.add(entry);
            }
        }
        Comparator<Entry> crowdFirst = Comparator.comparingInt(
                (Entry e) -> perPrefix.getOrDefault(SourcePrefix.of(e.connections.get(0).remoteAddress().getAddress()), 0))
                .reversed()
                .thenComparingLong(e -> e.connections.get(0).serial());
        return candidates.stream().min(crowdFirst).orElse(null);
    }

    /**
     * Adds a freshly authenticated connection (not yet started) and returns the peer's handle, or null
     * if it was refused (limit reached or node closed): the caller then closes it.
     */
    PeerHandle add(PeerConnection connection) {
        List<CrustEvent> toEmit = new ArrayList<>(2);
        List<PeerConnection> toClose = List.of();
        PeerHandle handle;
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            if (isInbound(connection) && connection.remoteAddress() != null) {
                Room room = room(connection.remoteAddress().getAddress());
                if (room != Room.YES) {
                    return null;
                }
            }
            if (connectionCount >= maxConnections) {
                Entry victim = evictable();
                if (victim == null || victim.handle.id().equals(connection.remote())) {
                    return null;
                }
                toClose = evict(victim);
            }
            connectionCount++;
            Entry entry = entries.get(connection.remote());
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
            c.close(CloseCause.lost(CrustEvent.PeerLost.Reason.EVICTED, "evicted: the connection limit was reached and the peer was idle and unknown"));
        }
        return handle;
    }

    /** A connection ended: forget it, move the handle or report the peer lost. */
    void remove(PeerConnection connection, CloseCause cause) {
        List<CrustEvent> toEmit = new ArrayList<>(2);
        lock.lock();
        try {
            Entry entry = entries.get(connection.remote());
            if (entry == null || !entry.connections.remove(connection)) {
                return;
            }
            if (!evicted.remove(connection)) {
                connectionCount--; // an evicted connection left the count when it was evicted
            }
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
     * Takes an idle unknown peer's connections out of the count to make room (under the lock), so a
     * crowd cannot push the table past its limit; the caller closes them after releasing the lock
     * (a crust-udt close can wait), and their readers report the loss as usual.
     */
    private List<PeerConnection> evict(Entry victim) {
        List<PeerConnection> gone = new ArrayList<>();
        for (PeerConnection c : victim.connections) {
            if (c.isOpen() && evicted.add(c)) {
                connectionCount--;
                gone.add(c);
            }
        }
        return gone;
    }

    /**
     * True when a connection that failed may have taken application messages with it: it is the
     * handle's current connection, or an earlier one that carried messages and was still draining them
     * (its RETIRE exchange had not finished). The peer's end of it may never have registered at all:
     * a late attempt that the peer cancelled once our side of the handshake had finished.
     */
    private static boolean mayHaveLostMessages(Entry entry, PeerConnection connection) {
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
    private void restart(Entry entry, PeerConnection failed, CloseCause cause, List<CrustEvent> toEmit) {
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
    private Entry newHandle(Entry old, PeerConnection current, List<CrustEvent> toEmit) {
        Entry fresh = new Entry(new PeerHandle(current, maxMessageBytes, inboxMessages, this::closePeer));
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
    private static List<PeerConnection> live(Entry entry) {
        return entry.connections.stream().filter(c -> c.isOpen() && !c.isRetiring()).toList();
    }

    private void settle(Entry entry, List<CrustEvent> toEmit) {
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
                        best.transport()));
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

    /** Both ends rank a connection the same: see the class comment. */
    private final Comparator<PeerConnection> order = Comparator
            .comparingInt((PeerConnection c) -> c.route() != Route.RELAYED ? 1 : 0)
            .thenComparingInt(c -> c.transport() == Transport.TCP ? 1 : 0)
            .thenComparingInt(c -> dialledBySmaller(c) ? 1 : 0)
            .thenComparingLong(PeerConnection::serial);

    private boolean dialledBySmaller(PeerConnection c) {
        PeerId responder = c.initiator().equals(c.remote()) ? self : c.remote();
        return c.initiator().compareTo(responder) < 0;
    }

    /**
     * Blocks the delivery of {@code connection}'s messages while a lower-ranked connection to the same
     * peer has not yet received the peer's RETIRE and its reader has not ended: the peer sent those
     * messages first.
     */
    void awaitTurn(PeerConnection connection) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!closed && connection.isOpen() && olderStillDelivering(connection)) {
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
            return closed || !connection.isOpen() || !olderStillDelivering(connection);
        } finally {
            lock.unlock();
        }
    }

    private boolean olderStillDelivering(PeerConnection connection) {
        Entry entry = entries.get(connection.remote());
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
                Entry entry = it.next().getValue();
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
            Entry entry = entries.get(id);
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
            Entry entry = entries.get(connection.remote());
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
            Entry entry = entries.get(id);
            return entry == null || !entry.handle.isOpen() ? Optional.empty() : Optional.of(entry.handle);
        } finally {
            lock.unlock();
        }
    }

    List<PeerHandle> handles() {
        lock.lock();
        try {
            return entries.values().stream().map(e -> e.handle).filter(PeerHandle::isOpen).toList();
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
                Entry entry = entries.get(id);
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
            Entry entry = entries.get(connection.remote());
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
