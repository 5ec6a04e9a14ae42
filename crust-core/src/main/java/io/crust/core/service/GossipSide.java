package io.crust.core.service;

import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustException;
import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.discovery.Gossip;
import io.crust.core.discovery.GossipMessage;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.wire.WireMessage;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The node's side of gossip: signs our peer record, feeds {@link Gossip} (which decides, without I/O)
 * what connected peers told us, and sends what it says to send on their connections.
 *
 * <p>Threads: any (connection readers, the ticker, the registering thread); {@link Gossip} locks its own state.
 */
final class GossipSide {
    private final Identity identity;
    private final String networkName;
    private final Addresses addresses;
    private final OpenConnections connections;
    private final EventQueue events;
    private final Gossip gossip;
    private final AtomicLong recordSequence = new AtomicLong(System.currentTimeMillis());

    GossipSide(Identity identity, String networkName, Addresses addresses, OpenConnections connections, EventQueue events,
            LongSupplier nanoClock) {
        this.identity = identity;
        this.networkName = networkName;
        this.addresses = addresses;
        this.connections = connections;
        this.events = events;
        this.gossip = new Gossip(identity.peerId(), networkName, Gossip.Config.defaults(), nanoClock, new SecureRandom());
    }

    /** A connection was registered and started. */
    void connected(PeerConnection c) {
        for (Gossip.Outgoing out : gossip.onConnected(c.remote(), ownRecord())) {
            send(out);
        }
    }

    /** The peer's last connection closed. */
    void disconnected(PeerId peer) {
        gossip.onDisconnected(peer);
    }

    /** Re-signs our record and tells every connected peer (before it ages out of their stores). */
    void publishOwnRecord() {
        for (Gossip.Outgoing out : gossip.publish(ownRecord(), connections.ids())) {
            send(out);
        }
    }

    PeerRecord ownRecord() {
        return PeerRecord.signed(identity, networkName, recordSequence.incrementAndGet(), addresses.recordAddresses());
    }

    void onMessage(PeerConnection c, WireMessage.Gossip g) {
        GossipMessage message;
        try {
            message = GossipMessage.decode(g.body());
        } catch (CrustException e) {
            c.close(CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION, "bad gossip: " + e.getMessage()));
            return;
        }
        Gossip.Result result = gossip.onMessage(c.remote(), message, connections.ids());
        if (result.rateLimitedRecords() > 0) {
            events.offer(new Misbehaviour(c.remote(), c.remoteAddress(), Misbehaviour.Kind.FLOOD,
                    result.rateLimitedRecords() + " gossip records over the rate limit"));
        }
        if (result.invalidRecords() > 0) {
            events.offer(new Misbehaviour(c.remote(), c.remoteAddress(), Misbehaviour.Kind.PROTOCOL_VIOLATION,
                    result.invalidRecords() + " gossip records failed verification"));
        }
        result.forward().forEach(this::send);
    }

    private void send(Gossip.Outgoing out) {
        connections.to(out.to()).ifPresent(c -> c.sendControl(new WireMessage.Gossip(out.message().encode())));
    }

    /** A known record of a peer. */
    Optional<PeerRecord> record(PeerId id) {
        return gossip.lookup(id);
    }

    /** At most {@code max} known records. */
    List<PeerRecord> known(int max) {
        return gossip.known(max);
    }
}
