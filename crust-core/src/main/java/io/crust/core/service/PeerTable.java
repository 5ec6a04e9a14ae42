package io.crust.core.service;

import io.crust.core.CrustEvent;
import io.crust.core.ConnectFailedException;
import io.crust.core.PeerId;
import io.crust.core.handshake.ResumeOffer;
import io.crust.core.wire.WireMessage;
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
 * one ({@link #awaitTurn}). {@link Settling} makes those decisions; {@link ConnectionLimits} decides
 * which connections are taken at all. The table holds the lock, the rows and the waits.
 *
 * <p>Events are emitted in table order: the table lock is handed over to the event lock before it is
 * released, so a slow consumer never blocks the table itself.
 */
final class PeerTable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ReentrantLock eventOrder = new ReentrantLock(true);
    private final Map<PeerId, PeerEntry> entries = new HashMap<>();
    private final Settling settling;
    private final Resumptions resumptions;
    private final EventQueue events;
    private final ConnectionLimits limits;
    private boolean closed;
    private long added;
    private final LongSupplier nanoClock;
    private final Consumer<PeerId> dropped;

    /**
     * @param inboxMessages capacity of each peer's inbox, 0 when messages go to the events
     * @param dropped told the id of a peer the application closed, before its connections close
     * @param nanoClock the node's clock ({@code System::nanoTime}): when a handle became an orphan
     */
    PeerTable(PeerId self, EventQueue events, int maxConnections, int maxPerAddress, int maxPerPrefix,
            int maxMessageBytes, int inboxMessages, Consumer<PeerId> dropped, LongSupplier nanoClock) {
        this(self, events, maxConnections, maxPerAddress, maxPerPrefix, maxMessageBytes, inboxMessages, dropped, nanoClock, 0);
    }

    /** @param resumeWindowNanos how long a broken connection may be continued ({@link Resumptions}); 0 for never */
    PeerTable(PeerId self, EventQueue events, int maxConnections, int maxPerAddress, int maxPerPrefix,
            int maxMessageBytes, int inboxMessages, Consumer<PeerId> dropped, LongSupplier nanoClock, long resumeWindowNanos) {
        this.dropped = dropped;
        this.nanoClock = nanoClock;
        this.events = events;
        this.limits = new ConnectionLimits(self, maxConnections, maxPerAddress, maxPerPrefix);
        this.settling = new Settling(entries, new ConnectionRanking(self), maxMessageBytes, inboxMessages, this::closePeer,
                resumeWindowNanos);
        this.resumptions = new Resumptions(entries, settling, resumeWindowNanos);
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
     *
     * @throws ConnectFailedException if the connection offers to continue a broken one that no longer
     *     waits (see {@link Resumptions}); it is closed then
     */
    PeerHandle add(PeerConnection connection) throws ConnectFailedException {
        List<CrustEvent> toEmit = new ArrayList<>(2);
        List<Resumptions.Closing> toClose = new ArrayList<>(1);
        List<PeerConnection> toEvict;
        PeerHandle handle;
        boolean refused;
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            refused = resumptions.staleOffer(connection) || resumptions.duplicateOffer(connection);
            if (refused) {
                toEvict = List.of();
                handle = null;
            } else {
                toEvict = limits.admit(connection, entries.values());
                if (toEvict == null) {
                    return null;
                }
                PeerEntry entry = resumptions.added(connection, nanoClock.getAsLong(), toEmit, toClose);
                handle = (entry != null ? entry : settling.added(connection, toEmit)).handle;
                added++;
                changed.signalAll();
                eventOrder.lock();
            }
        } finally {
            lock.unlock();
        }
        if (refused) {
            connection.close(CloseCause.quiet("it offered to continue a connection that no longer waits"));
            throw new ConnectFailedException(ConnectFailedException.Reason.CANCELLED, "the broken connection to "
                    + connection.remote().shortForm() + " no longer waits to be continued (or another connection continues it)");
        }
        emitAndRelease(toEmit);
        closeAll(toClose);
        for (PeerConnection c : toEvict) {
            c.close(CloseCause.lost(CrustEvent.PeerLost.Reason.EVICTED, ConnectionLimits.EVICTED));
        }
        return handle;
    }

    private static void closeAll(List<Resumptions.Closing> toClose) {
        for (Resumptions.Closing c : toClose) {
            c.connection().close(c.cause());
        }
    }

    /** The resumption offer a connection we dial to {@code peer} carries, null if none ({@link Resumptions}). */
    ResumeOffer resumeOfferTo(PeerId peer) {
        lock.lock();
        try {
            return resumptions.offerTo(peer);
        } finally {
            lock.unlock();
        }
    }

    /** The broken connections we dialled, to dial again while they wait ({@link Resumptions}). */
    List<Resumptions.Redial> awaitingRedial() {
        lock.lock();
        try {
            return resumptions.awaitingRedial();
        } finally {
            lock.unlock();
        }
    }

    /** The peer answered the resumption offer of {@code connection}. */
    void resumeAnswered(PeerConnection connection, WireMessage.Resume answer) {
        List<CrustEvent> toEmit = new ArrayList<>(2);
        List<Resumptions.Closing> toClose = new ArrayList<>(1);
        lock.lock();
        try {
            resumptions.answered(connection, answer, toEmit, toClose);
            changed.signalAll();
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
        closeAll(toClose);
    }

    /**
     * How many connections {@link #add} has taken so far. Counted under the table's lock, so whoever
     * saw a connection's peer in the table (by {@link #await}) sees it counted too.
     */
    long added() {
        lock.lock();
        try {
            return added;
        } finally {
            lock.unlock();
        }
    }

    /** A connection ended: forget it, move the handle or report the peer lost. */
    void remove(PeerConnection connection, CloseCause cause) {
        List<CrustEvent> toEmit = new ArrayList<>(2);
        List<Resumptions.Closing> toClose = new ArrayList<>(1);
        lock.lock();
        try {
            PeerEntry entry = entries.get(connection.remote());
            if (entry == null || !entry.connections.remove(connection)) {
                return;
            }
            limits.removed(connection);
            long now = nanoClock.getAsLong();
            if (resumptions.removed(entry, connection, cause, closed, now, toEmit, toClose)) {
                entry.carriers.remove(connection);
            } else {
                settling.removed(entry, connection, cause, closed, now, toEmit);
            }
            changed.signalAll();
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
        closeAll(toClose);
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
            while (!closed && (settling.olderStillDelivering(connection) || resumptions.holdsDelivery(connection))) {
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
            return closed || !(settling.olderStillDelivering(connection) || resumptions.holdsDelivery(connection));
        } finally {
            lock.unlock();
        }
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
        List<Resumptions.Closing> toClose = new ArrayList<>(0);
        lock.lock();
        try {
            // The ticker calls this every tick: it must not queue behind a blocked event emitter
            // (a full event queue) unless it has something to emit, or heartbeats would stop.
            if (entries.values().stream().noneMatch(e -> e.connections.isEmpty() || e.broken != null)) {
                return;
            }
            resumptions.expire(nowNanos, toEmit, toClose);
            settling.expireOrphans(nowNanos, graceNanos, toEmit);
            changed.signalAll();
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
        closeAll(toClose);
    }

    /**
     * The application closed {@code handle}: ends it and closes its connections, quietly. The attempts
     * still under way towards the peer are cancelled first (fewer late connections); the handle is
     * ended and its connections listed in one hold of the lock, so a connection that registers after
     * that starts a new handle (announced by {@code PeerConnected}) and stays open.
     */
    void closePeer(PeerHandle handle) {
        dropped.accept(handle.id());
        List<PeerConnection> toClose;
        lock.lock();
        try {
            if (!handle.markClosedByApplication()) {
                return;
            }
            PeerEntry entry = entries.get(handle.id());
            toClose = entry == null || entry.handle != handle ? List.of() : List.copyOf(entry.connections);
            if (entry != null && entry.handle == handle && entry.connections.isEmpty()) {
                entries.remove(handle.id()); // it waited for a replacement (an orphan): nothing is left to end
            }
        } finally {
            lock.unlock();
        }
        for (PeerConnection c : toClose) {
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

    /** The handle a message arriving on {@code connection} goes to (see {@link Settling#handleForDelivery}). */
    Optional<PeerHandle> handleForDelivery(PeerConnection connection) {
        List<CrustEvent> toEmit = new ArrayList<>(1);
        Optional<PeerHandle> handle;
        lock.lock();
        try {
            handle = settling.handleForDelivery(connection, closed, toEmit);
            if (toEmit.isEmpty()) {
                return handle;
            }
            changed.signalAll();
            eventOrder.lock();
        } finally {
            lock.unlock();
        }
        emitAndRelease(toEmit);
        return handle;
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

    /**
     * The peer's handle while it has a working connection: not while its broken connection waits to be
     * continued ({@link Resumptions}), when a dial must go ahead (and carries the offer).
     */
    Optional<PeerHandle> connected(PeerId id) {
        lock.lock();
        try {
            PeerEntry entry = entries.get(id);
            return entry == null || !entry.handle.isOpen() || entry.broken != null ? Optional.empty() : Optional.of(entry.handle);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code id} is connected, up to {@code timeoutNanos}. */
    Optional<PeerHandle> await(PeerId id, long timeoutNanos) throws InterruptedException {
        return await(id, timeoutNanos, false);
    }

    /** {@link #await}, but also waiting while the peer's broken connection waits to be continued (see {@link #connected}). */
    Optional<PeerHandle> awaitConnected(PeerId id, long timeoutNanos) throws InterruptedException {
        return await(id, timeoutNanos, true);
    }

    private Optional<PeerHandle> await(PeerId id, long timeoutNanos, boolean working) throws InterruptedException {
        long remaining = timeoutNanos;
        lock.lockInterruptibly();
        try {
            while (true) {
                PeerEntry entry = entries.get(id);
                if (entry != null && entry.handle.isOpen() && !(working && entry.broken != null)) {
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
            settling.settle(entry, toEmit);
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
