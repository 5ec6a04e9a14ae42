package io.crust.core.service;

import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.frame.FrameTransport;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.relay.Relay;
import java.util.Optional;

/**
 * What the relay needs from the node: connections to peers, the ban list and handshakes over circuits.
 *
 * <p>Threads: the connection readers that carry relay messages and the threads that open circuits;
 * it holds no state of its own, and a responder handshake gets a node-owned thread.
 */
final class RelayHost implements Relay.Host {
    private final PeerId self;
    private final OpenConnections connections;
    private final Blacklist blacklist;
    private final Handshakes handshakes;
    private final ThreadOwner threads;

    RelayHost(PeerId self, OpenConnections connections, Blacklist blacklist, Handshakes handshakes, ThreadOwner threads) {
        this.self = self;
        this.connections = connections;
        this.blacklist = blacklist;
        this.handshakes = handshakes;
        this.threads = threads;
    }

    @Override
    public PeerId self() {
        return self;
    }

    @Override
    public Optional<PeerConnection> connectionTo(PeerId id) {
        return connections.to(id);
    }

    @Override
    public boolean bans(PeerId id) {
        return blacklist.bans(id);
    }

    @Override
    public PeerHandle initiate(FrameTransport transport, PeerId expected, PeerConnection via) throws CrustException {
        return handshakes.initiate(transport, expected, Route.RELAYED, via.transport(), via.remoteAddress());
    }

    @Override
    public void respond(FrameTransport transport, PeerConnection via) {
        threads.startNumbered("crust-relay-handshake", () ->
                handshakes.respond(transport, via.transport(), via.remoteAddress(), Route.RELAYED));
    }
}
