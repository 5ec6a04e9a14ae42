package io.crust.core.service;

import io.crust.core.ConnectFailedException;
import io.crust.core.ConnectionInfo;
import io.crust.core.CrustEvent;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustException;
import io.crust.core.MessageDelivery;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.Route;
import io.crust.core.connect.HolePunch;
import io.crust.core.connect.Race;
import io.crust.core.connect.TcpPunch;
import io.crust.core.connect.Rendezvous;
import io.crust.nat.QueuedDatagramPort;
import io.crust.core.discovery.Gossip;
import io.crust.core.discovery.GossipMessage;
import io.crust.core.frame.FrameTransport;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.ConnectionHandler;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.relay.Relay;
import io.crust.core.wire.WireMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches every message a connection receives (on that connection's reader thread) to the part of
 * the node that handles it, and gives the rendezvous and the relay what they need from the node.
 */
final class Router implements ConnectionHandler, Rendezvous.Host, Relay.Host {
    private static final Logger log = LoggerFactory.getLogger(Router.class);
    private static final AtomicLong TASKS = new AtomicLong();

    private final Node node;
    private final Rendezvous rendezvous;
    private final Relay relay;
    private final UdtSide udt;
    private final Gossip gossip;
    private final Bootstrap bootstrap;
    private final Group group;
    private final Map<PeerId, WireMessage.Hello> hellos = new ConcurrentHashMap<>();
    /** Signalled when a HELLO arrives or a connection closes: what {@link #awaitHellos} waits for. */
    private final ReentrantLock helloLock = new ReentrantLock();
    private final Condition helloChanged = helloLock.newCondition();
    private final AtomicLong recordSequence = new AtomicLong(System.currentTimeMillis());

    Router(Node node) {
        this.node = node;
        this.rendezvous = new Rendezvous(this);
        this.relay = new Relay(this, node.config.relay(), node.config.relayMaxCircuits(), node.config.relayMaxBytesPerCircuit(),
                node.config.relayTapForTesting());
        this.udt = new UdtSide(node);
        this.gossip = new Gossip(node.identity.peerId(), node.config.networkName(), Gossip.Config.defaults(),
                System::nanoTime, new SecureRandom());
        this.bootstrap = new Bootstrap(node);
        this.group = new Group(node, this);
    }

    void start() {
        bootstrap.start();
    }

    UdtSide udt() {
        return udt;
    }

    Rendezvous rendezvous() {
        return rendezvous;
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    WireMessage.Hello hello(PeerConnection c) {
        boolean observable = c.route() != Route.RELAYED && c.remoteAddress() != null;
        return new WireMessage.Hello(node.config.relay(), observable ? c.transport() : null,
                observable ? c.remoteAddress() : null, node.connectionInfo());
    }

    /** A connection was registered and started. */
    void connected(PeerConnection c) {
        for (Gossip.Outgoing out : gossip.onConnected(c.remote(), ownRecord())) {
            send(out);
        }
    }

    /** Re-signs our record and tells every connected peer (before it ages out of their stores). */
    void publishOwnRecord() {
        for (Gossip.Outgoing out : gossip.publish(ownRecord(), connectedIds())) {
            send(out);
        }
    }

    PeerRecord ownRecord() {
        return PeerRecord.signed(node.identity, node.config.networkName(), recordSequence.incrementAndGet(),
                node.addresses.recordAddresses());
    }

    @Override
    public void onMessage(PeerConnection c, WireMessage message) throws InterruptedException {
        switch (message) {
            case WireMessage.App app -> deliver(c, app.payload());
            case WireMessage.Hello hello -> onHello(c, hello);
            case WireMessage.Gossip g -> onGossip(c, g);
            case WireMessage.Forward f -> rendezvous.onForward(c, f);
            case WireMessage.RelayOpen m -> relay.onMessage(c, m);
            case WireMessage.RelayData m -> relay.onMessage(c, m);
            case WireMessage.RelayClose m -> relay.onMessage(c, m);
            default -> c.close(CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION,
                    "unexpected " + message.getClass().getSimpleName() + " message"));
        }
    }

    /**
     * Hands an application message to exactly one consumer: the peer's inbox or the node's events
     * (see {@link io.crust.core.MessageDelivery}). Either may block while full, which stops this
     * connection's reader. A peer the application closed has no handle any more: its last messages
     * go with its connection.
     */
    private void deliver(PeerConnection c, byte[] payload) throws InterruptedException {
        Optional<PeerHandle> handle = node.table.handle(c.remote());
        if (handle.isEmpty()) {
            log.debug("message from {} dropped: the peer was closed", c.remote().shortForm());
            return;
        }
        if (node.config.messageDelivery() == MessageDelivery.PER_PEER) {
            handle.get().deliver(payload);
        } else {
            node.events.put(new CrustEvent.MessageReceived(handle.get(), payload));
        }
    }

    private void onHello(PeerConnection c, WireMessage.Hello hello) {
        if (!hello.info().id().equals(c.remote())) {
            c.close(CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION, "HELLO names another peer id"));
            return;
        }
        hellos.put(c.remote(), hello);
        signalHelloChange();
        if (c.route() == Route.RELAYED) {
            return;
        }
        if (hello.observedAddress() != null) {
            node.addresses.observed(hello.observedTransport(), hello.observedAddress());
        }
        bootstrap.connectedDirectly(c, hello.info());
        if (udt.isRunning() && !hello.info().udpAddresses().isEmpty() && c.remoteAddress() != null) {
            InetSocketAddress stunServer = udpAddressNear(hello.info(), c.remoteAddress());
            startTask("crust-stun-query", () -> udt.learnReflexiveFrom(stunServer));
        }
    }

    /** The peer's UDP address on the IP we reached it at, else its first one. */
    private static InetSocketAddress udpAddressNear(ConnectionInfo info, InetSocketAddress reached) {
        for (InetSocketAddress a : info.udpAddresses()) {
            if (a.getAddress().equals(reached.getAddress())) {
                return a;
            }
        }
        return info.udpAddresses().get(0);
    }

    private void onGossip(PeerConnection c, WireMessage.Gossip g) {
        GossipMessage message;
        try {
            message = GossipMessage.decode(g.body());
        } catch (CrustException e) {
            c.close(CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION, "bad gossip: " + e.getMessage()));
            return;
        }
        Gossip.Result result = gossip.onMessage(c.remote(), message, connectedIds());
        if (result.rateLimitedRecords() > 0) {
            node.events.offer(new Misbehaviour(c.remote(), c.remoteAddress(), Misbehaviour.Kind.FLOOD,
                    result.rateLimitedRecords() + " gossip records over the rate limit"));
        }
        if (result.invalidRecords() > 0) {
            node.events.offer(new Misbehaviour(c.remote(), c.remoteAddress(), Misbehaviour.Kind.PROTOCOL_VIOLATION,
                    result.invalidRecords() + " gossip records failed verification"));
        }
        result.forward().forEach(this::send);
    }

    private void send(Gossip.Outgoing out) {
        connectionTo(out.to()).ifPresent(c -> c.sendControl(new WireMessage.Gossip(out.message().encode())));
    }

    private Set<PeerId> connectedIds() {
        Set<PeerId> ids = new HashSet<>();
        for (PeerHandle h : node.table.handles()) {
            ids.add(h.id());
        }
        return ids;
    }

    /** Peers known from gossip and the bootstrap cache. */
    Set<PeerId> knownPeers() {
        Set<PeerId> ids = new HashSet<>();
        gossip.known(Integer.MAX_VALUE).forEach(r -> ids.add(r.peerId()));
        ids.addAll(bootstrap.cachedPeers());
        ids.remove(node.identity.peerId());
        return ids;
    }

    /** A known record of a peer, from gossip. */
    Optional<PeerRecord> record(PeerId id) {
        return gossip.lookup(id);
    }

    List<PeerRecord> knownRecords(int max) {
        return gossip.known(max);
    }

    @Override
    public void awaitTurn(PeerConnection c) throws InterruptedException {
        node.table.awaitTurn(c);
    }

    @Override
    public boolean mayDeliverNow(PeerConnection c) {
        return node.table.mayDeliverNow(c);
    }

    @Override
    public void onRemoteRetire(PeerConnection c) {
        node.table.retired(c);
    }

    @Override
    public void onClosed(PeerConnection c, CloseCause cause) {
        if (cause.misbehaviour() != null) {
            node.events.offer(new Misbehaviour(c.remote(), c.remoteAddress(), cause.misbehaviour(), cause.reason()));
        }
        log.debug("{} closed: {}", c, cause.reason());
        node.table.remove(c, cause);
        relay.connectionClosed(c);
        if (node.table.connectionsOf(c.remote()).isEmpty()) {
            gossip.onDisconnected(c.remote());
            hellos.remove(c.remote());
        }
        signalHelloChange();
    }

    private void signalHelloChange() {
        helloLock.lock();
        try {
            helloChanged.signalAll();
        } finally {
            helloLock.unlock();
        }
    }

    @Override
    public void awaitHellos(Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        helloLock.lock();
        try {
            while (!everyDirectConnectionSaidHello()) {
                if (remaining <= 0) {
                    log.debug("connect: going on without the HELLO of some peers after {} ms", timeout.toMillis());
                    return;
                }
                remaining = helloChanged.awaitNanos(remaining);
            }
        } finally {
            helloLock.unlock();
        }
    }

    private boolean everyDirectConnectionSaidHello() {
        return connections().stream().filter(c -> c.route() != Route.RELAYED).allMatch(c -> hellos.containsKey(c.remote()));
    }

    /**
     * Dials the candidates of an info, expecting its id: every TCP candidate, then every crust-udt one,
     * each {@link Node#TRANSPORT_STAGGER} after the one before (or at once when all before it failed).
     */
    PeerHandle dialInfo(ConnectionInfo info, Route route, Duration timeout) throws CrustException {
        Duration each = min(timeout, node.config.handshakeTimeout());
        Race<PeerHandle> race = new Race<>(info.id().shortForm());
        for (InetSocketAddress address : node.config.tcp() ? info.tcpAddresses() : List.<InetSocketAddress>of()) {
            race.then("tcp", race.isEmpty() ? Duration.ZERO : Node.TRANSPORT_STAGGER,
                    connected -> node.handshakes.dialTcp(address, info.id(), route, each, connected));
        }
        if (node.config.udp() && udt.isRunning()) {
            for (InetSocketAddress address : info.udpAddresses()) {
                race.then("udt", race.isEmpty() ? Duration.ZERO : Node.TRANSPORT_STAGGER,
                        connected -> udt.dial(address, info.id(), route, each, connected));
            }
        }
        try {
            if (race.isEmpty()) {
                throw new ConnectFailedException(ConnectFailedException.Reason.NO_ADDRESS,
                        "cannot reach " + info.id().shortForm() + ": no usable address");
            }
            return race.run(timeout);
        } catch (CrustException e) {
            // The peer may have reached us meanwhile (it dials too, in a rendezvous).
            Optional<PeerHandle> meanwhile = node.table.handle(info.id());
            if (meanwhile.isPresent()) {
                return meanwhile.get();
            }
            throw e;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    void maintainGroup(long nowNanos) {
        group.tick(nowNanos);
    }

    void close() {
        udt.close();
        bootstrap.close();
    }

    // Rendezvous.Host and Relay.Host

    @Override
    public PeerId self() {
        return node.identity.peerId();
    }

    @Override
    public List<PeerConnection> connections() {
        List<PeerConnection> out = new ArrayList<>();
        for (PeerHandle h : node.table.handles()) {
            PeerConnection c = h.current();
            if (c.isOpen()) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public Optional<PeerConnection> connectionTo(PeerId id) {
        return node.table.handle(id).map(PeerHandle::current).filter(PeerConnection::isOpen);
    }

    @Override
    public ConnectionInfo localInfo() {
        return node.connectionInfo();
    }

    @Override
    public boolean bans(PeerId id) {
        return node.blacklist.bans(id);
    }

    @Override
    public boolean directPathsDisabled() {
        return node.config.directPathsDisabledForTesting();
    }

    @Override
    public PeerHandle dialDirect(ConnectionInfo info, Route route, Duration timeout) throws CrustException {
        if (node.table.handle(info.id()).filter(h -> h.route() != Route.RELAYED).isPresent()) {
            return node.table.handle(info.id()).get();
        }
        return dialInfo(info, route, timeout);
    }

    @Override
    public boolean startTask(String name, Runnable task) {
        return node.threads.start(name + "-" + TASKS.incrementAndGet(), task);
    }

    @Override
    public Optional<PeerHandle> awaitPeer(PeerId id, Duration timeout) throws InterruptedException {
        return node.table.await(id, timeout.toNanos());
    }

    @Override
    public boolean relays(PeerConnection connection) {
        WireMessage.Hello hello = hellos.get(connection.remote());
        return hello != null && hello.relays();
    }

    @Override
    public Optional<TcpPunch.Tcp> tcp() {
        if (!node.config.tcp()) {
            return Optional.empty();
        }
        return Optional.of(new TcpPunch.Tcp() {
            @Override
            public InetAddress bindAddress() {
                return node.config.bindAddress();
            }

            @Override
            public PeerHandle over(Socket socket, PeerId peer, InetSocketAddress remote) throws CrustException {
                return node.handshakes.overPunchedTcp(socket, peer, remote);
            }
        });
    }

    @Override
    public Optional<HolePunch.Udp> udp() {
        if (!udt.isRunning()) {
            return Optional.empty();
        }
        return Optional.of(new HolePunch.Udp() {
            @Override
            public QueuedDatagramPort openPort() throws CrustException {
                return udt.openPort();
            }

            @Override
            public void closePort(QueuedDatagramPort port) {
                udt.closePort(port);
            }

            @Override
            public List<InetSocketAddress> stunServers() {
                List<InetSocketAddress> servers = new ArrayList<>();
                for (PeerConnection c : connections()) {
                    WireMessage.Hello hello = hellos.get(c.remote());
                    if (servers.size() < 2 && hello != null && c.route() != Route.RELAYED && c.remoteAddress() != null
                            && !hello.info().udpAddresses().isEmpty()) {
                        servers.add(udpAddressNear(hello.info(), c.remoteAddress()));
                    }
                }
                return servers;
            }

            @Override
            public PeerHandle rendezvous(InetSocketAddress remote, PeerId peer, Duration timeout) throws CrustException {
                return udt.rendezvous(remote, peer, timeout);
            }

            @Override
            public PeerHandle rendezvousOwnSocket(DatagramChannel channel, InetSocketAddress remote, PeerId peer,
                    Duration timeout) throws CrustException {
                return udt.rendezvousOwnSocket(channel, remote, peer, timeout);
            }
        });
    }

    @Override
    public PeerHandle openRelay(PeerConnection via, PeerId target, Duration timeout) throws CrustException {
        return relay.open(via, target, timeout);
    }

    @Override
    public PeerHandle initiate(FrameTransport transport, PeerId expected, PeerConnection via) throws CrustException {
        return node.handshakes.initiate(transport, expected, Route.RELAYED, via.transport(), via.remoteAddress());
    }

    @Override
    public void respond(FrameTransport transport, PeerConnection via) {
        startTask("crust-relay-handshake", () ->
                node.handshakes.respond(transport, via.transport(), via.remoteAddress(), Route.RELAYED));
    }
}
