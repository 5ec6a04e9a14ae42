package io.crust.core.service;

import io.crust.core.CrustEvent;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.MessageDelivery;
import io.crust.core.Route;
import io.crust.core.connect.Rendezvous;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.ConnectionHandler;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.relay.Relay;
import io.crust.core.wire.WireMessage;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every message a connection receives to the part of the node that handles it (application
 * messages to their consumer, HELLO, gossip, rendezvous, relay), and a closed or retired connection to
 * the peer table and the parts that keep per-peer state.
 *
 * <p>Threads: each connection's reader thread (or its turn thread), as {@link ConnectionHandler} says.
 */
final class Dispatcher implements ConnectionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final MessageDelivery delivery;
    private final PeerTable table;
    private final EventQueue events;
    private final Hellos hellos;
    private final GossipSide gossip;
    private final Rendezvous rendezvous;
    private final Relay relay;
    private final Bootstrap bootstrap;
    private final Addresses addresses;
    private final UdtSide udt;
    private final ThreadOwner threads;

    Dispatcher(MessageDelivery delivery, PeerTable table, EventQueue events, Hellos hellos, GossipSide gossip,
            Rendezvous rendezvous, Relay relay, Bootstrap bootstrap, Addresses addresses, UdtSide udt, ThreadOwner threads) {
        this.delivery = delivery;
        this.table = table;
        this.events = events;
        this.hellos = hellos;
        this.gossip = gossip;
        this.rendezvous = rendezvous;
        this.relay = relay;
        this.bootstrap = bootstrap;
        this.addresses = addresses;
        this.udt = udt;
        this.threads = threads;
    }

    @Override
    public void onMessage(PeerConnection c, WireMessage message) throws InterruptedException {
        switch (message) {
            case WireMessage.App app -> deliver(c, app.payload());
            case WireMessage.Hello hello -> onHello(c, hello);
            case WireMessage.Gossip g -> gossip.onMessage(c, g);
            case WireMessage.Forward f -> rendezvous.onForward(c, f);
            case WireMessage.RelayOpen m -> relay.onMessage(c, m);
            case WireMessage.RelayData m -> relay.onMessage(c, m);
            case WireMessage.RelayClose m -> relay.onMessage(c, m);
            case WireMessage.Resume answer when c.resumeOffer() != null && !c.initiator().equals(c.remote()) ->
                    table.resumeAnswered(c, answer);
            default -> c.close(CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION,
                    "unexpected " + message.getClass().getSimpleName() + " message"));
        }
    }

    /**
     * Hands an application message to exactly one consumer: the peer's inbox or the node's events
     * (see {@link io.crust.core.MessageDelivery}). Either may block while full, which stops this
     * connection's reader. A peer the application closed has no handle any more: its last messages
     * go with its connection (see {@link PeerTable#handleForDelivery}).
     */
    private void deliver(PeerConnection c, byte[] payload) throws InterruptedException {
        Optional<PeerHandle> handle = table.handleForDelivery(c);
        if (handle.isEmpty()) {
            LOG.debug("message from {} dropped: the peer was closed", c.remote().shortForm());
            return;
        }
        if (delivery == MessageDelivery.PER_PEER) {
            handle.get().deliver(payload);
        } else {
            events.put(new CrustEvent.MessageReceived(handle.get(), payload));
        }
    }

    private void onHello(PeerConnection c, WireMessage.Hello hello) {
        if (!hello.info().id().equals(c.remote())) {
            c.close(CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION, "HELLO names another peer id"));
            return;
        }
        hellos.received(c.remote(), hello);
        if (c.route() == Route.RELAYED) {
            return;
        }
        if (hello.observedAddress() != null) {
            addresses.observed(hello.observedTransport(), hello.observedAddress());
        }
        bootstrap.connectedDirectly(c, hello.info());
        if (udt.isRunning() && !hello.info().udpAddresses().isEmpty() && c.remoteAddress() != null) {
            InetSocketAddress stunServer = Hellos.udpAddressNear(hello.info(), c.remoteAddress());
            threads.startNumbered("crust-stun-query", () -> udt.learnReflexiveFrom(stunServer));
        }
    }

    @Override
    public void awaitTurn(PeerConnection c) throws InterruptedException {
        table.awaitTurn(c);
    }

    @Override
    public boolean mayDeliverNow(PeerConnection c) {
        return table.mayDeliverNow(c);
    }

    @Override
    public void onRemoteRetire(PeerConnection c) {
        table.retired(c);
    }

    @Override
    public void onClosed(PeerConnection c, CloseCause cause) {
        if (cause.misbehaviour() != null) {
            events.offer(new Misbehaviour(c.remote(), c.remoteAddress(), cause.misbehaviour(), cause.reason()));
        }
        LOG.debug("{} closed: {}", c, cause.reason());
        if (cause.lost() == CrustEvent.PeerLost.Reason.GOODBYE) {
            // The peer closed us on purpose: our attempts of the meeting that made this connection (or an
            // earlier one) must not reconnect it. A meeting the peer began afresh since goes on.
            rendezvous.cancelAttempts(c.remote(), c.createdNanos());
        }
        table.remove(c, cause);
        relay.connectionClosed(c);
        boolean last = table.connectionsOf(c.remote()).isEmpty();
        if (last) {
            gossip.disconnected(c.remote());
        }
        hellos.closed(c.remote(), last);
    }
}
