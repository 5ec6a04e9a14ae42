package io.crust.core.service;

import io.crust.core.ConnectFailedException;
import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.connect.Rendezvous;
import io.crust.core.handshake.SecureChannel;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.ConnectionHandler;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.wire.WireCodec;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an authenticated channel into a live connection: refuses ourselves, banned peers, a closed
 * node and late attempts towards a peer dropped since; then the HELLO, the peer table, the threads.
 *
 * <p>Threads: the handshake's (a listener's or a dial's), never the application's.
 */
final class ConnectionRegistrar implements Handshakes.Registrar {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistrar.class);

    private final PeerId self;
    private final CrustConfig config;
    private final WireCodec codec;
    private final Blacklist blacklist;
    private final BooleanSupplier nodeClosed;
    private final Rendezvous rendezvous;
    private final Hellos hellos;
    private final PeerTable table;
    private final ConnectionHandler dispatcher;
    private final GossipSide gossip;
    private final LongSupplier nanoClock;

    ConnectionRegistrar(PeerId self, CrustConfig config, WireCodec codec, Blacklist blacklist, BooleanSupplier nodeClosed,
            Rendezvous rendezvous, Hellos hellos, PeerTable table, ConnectionHandler dispatcher, GossipSide gossip,
            LongSupplier nanoClock) {
        this.self = self;
        this.config = config;
        this.codec = codec;
        this.blacklist = blacklist;
        this.nodeClosed = nodeClosed;
        this.rendezvous = rendezvous;
        this.hellos = hellos;
        this.table = table;
        this.dispatcher = dispatcher;
        this.gossip = gossip;
        this.nanoClock = nanoClock;
    }

    @Override
    public PeerHandle register(SecureChannel channel, PeerId initiator, Route route, Transport transport,
            InetSocketAddress remoteAddress) throws CrustException {
        PeerId remote = channel.remotePeer();
        ConnectFailedException refusal = null;
        if (remote.equals(self)) {
            refusal = new ConnectFailedException(ConnectFailedException.Reason.SELF, "dialled ourselves");
        } else if (blacklist.bans(remote)) {
            refusal = new ConnectFailedException(ConnectFailedException.Reason.BANNED, "peer " + remote.shortForm() + " is banned");
        } else if (nodeClosed.getAsBoolean()) {
            refusal = new ConnectFailedException(ConnectFailedException.Reason.NODE_CLOSED, "node is closed");
        } else if (Rendezvous.cancelledOnThisThread()) {
            refusal = new ConnectFailedException(ConnectFailedException.Reason.CANCELLED, "a late attempt towards "
                    + remote.shortForm() + ", which was dropped or said goodbye since it began");
        }
        if (refusal != null) {
            Node.closeQuietly(channel);
            throw refusal;
        }
        if (route == Route.BOOTSTRAP_IN) {
            // An inbound dial from a peer we are meeting through a rendezvous is part of that race.
            route = rendezvous.inboundRoute(remote, remoteAddress).orElse(route);
        }
        PeerConnection connection = new PeerConnection(channel, initiator, route, transport, remoteAddress, codec,
                config.sendQueueMessages(), config.lowPriorityMaxAge().toNanos(), config.messagesPerSecondPerPeer(), dispatcher,
                nanoClock);
        connection.sendControl(hellos.ours(connection));
        PeerHandle handle = table.add(connection);
        if (handle == null) {
            connection.close(CloseCause.quiet("connection limit reached"));
            throw new ConnectFailedException(ConnectFailedException.Reason.LIMIT_REACHED,
                    "connection limit of " + config.maxConnections() + " reached");
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("registered connection {} to {} ({} {} at {}, dialled by {})", connection.serial(), remote.shortForm(),
                    route, transport, remoteAddress, initiator.shortForm());
        }
        connection.start();
        gossip.connected(connection);
        return handle;
    }
}
