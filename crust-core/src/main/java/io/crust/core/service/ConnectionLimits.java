package io.crust.core.service;

import io.crust.core.PeerId;
import io.crust.core.peer.PeerConnection;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The peer table's connection limits: how many connections the node holds in all, and how many of
 * those remote hosts dialled from one address and from one prefix ({@link SourcePrefix}); and, when
 * the table is full, which peer makes room for a newcomer. It keeps the count, and the connections
 * evicted but not yet removed (they no longer count); the entries are the table's, passed in.
 *
 * <p>Threads: any, under the peer table's lock.
 */
final class ConnectionLimits {
    /** Whether an inbound connection from a source would be taken, checked before its handshake. */
    enum Room { YES, FULL, ADDRESS, PREFIX }

    static final String EVICTED = "evicted: the connection limit was reached and the peer was idle and unknown";

    private final PeerId self;
    private final int maxConnections;
    private final int maxPerAddress;
    private final int maxPerPrefix;
    private int connectionCount;
    private final Set<PeerConnection> evicted = Collections.newSetFromMap(new IdentityHashMap<>());

    ConnectionLimits(PeerId self, int maxConnections, int maxPerAddress, int maxPerPrefix) {
        this.self = self;
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.maxPerPrefix = maxPerPrefix;
    }

    /**
     * Room for a connection a remote host dials from {@code source}: under the per-address and
     * per-prefix limits, and under the total or with an idle unknown peer to evict (see {@link #admit}).
     */
    Room room(InetAddress source, Collection<PeerEntry> entries) {
        long prefix = SourcePrefix.of(source);
        int fromAddress = 0;
        int fromPrefix = 0;
        for (PeerEntry entry : entries) {
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
        return connectionCount < maxConnections || evictable(entries) != null ? Room.YES : Room.FULL;
    }

    /**
     * Counts a new connection if it fits: under the per-source limits (an inbound one) and under the
     * total, or else by evicting an idle unknown peer other than the newcomer's. Returns the evicted
     * peer's connections (taken out of the count; the caller closes them with {@link #EVICTED} once it
     * has released the table's lock), or null if the connection is refused.
     */
    List<PeerConnection> admit(PeerConnection connection, Collection<PeerEntry> entries) {
        if (isInbound(connection) && connection.remoteAddress() != null
                && room(connection.remoteAddress().getAddress(), entries) != Room.YES) {
            return null;
        }
        List<PeerConnection> toClose = List.of();
        if (connectionCount >= maxConnections) {
            PeerEntry victim = evictable(entries);
            if (victim == null || victim.handle.id().equals(connection.remote())) {
                return null;
            }
            toClose = evict(victim);
        }
        connectionCount++;
        return toClose;
    }

    /** A listed connection ended; an evicted one already left the count when it was evicted. */
    void removed(PeerConnection connection) {
        if (!evicted.remove(connection)) {
            connectionCount--;
        }
    }

    /**
     * True while every connection of the peer was evicted and has not ended yet: the peer is on its way
     * out and no longer counts, so it is not listed among the peers either.
     */
    boolean beingEvicted(PeerEntry entry) {
        return !entry.connections.isEmpty() && evicted.containsAll(entry.connections);
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
    private PeerEntry evictable(Collection<PeerEntry> entries) {
        Map<Long, Integer> perPrefix = new HashMap<>();
        List<PeerEntry> candidates = new ArrayList<>();
        for (PeerEntry entry : entries) {
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
        Comparator<PeerEntry> crowdFirst = Comparator.comparingInt(
                (PeerEntry e) -> perPrefix.getOrDefault(SourcePrefix.of(e.connections.get(0).remoteAddress().getAddress()), 0))
                .reversed()
                .thenComparingLong(e -> e.connections.get(0).serial());
        return candidates.stream().min(crowdFirst).orElse(null);
    }

    /**
     * Takes an idle unknown peer's connections out of the count to make room, so a crowd cannot push
     * the table past its limit; the caller closes them after releasing the table's lock (a crust-udt
     * close can wait), and their readers report the loss as usual.
     */
    private List<PeerConnection> evict(PeerEntry victim) {
        List<PeerConnection> gone = new ArrayList<>();
        for (PeerConnection c : victim.connections) {
            if (c.isOpen() && evicted.add(c)) {
                connectionCount--;
                gone.add(c);
            }
        }
        return gone;
    }
}
