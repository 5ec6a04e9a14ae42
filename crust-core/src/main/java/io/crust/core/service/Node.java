package io.crust.core.service;

import io.crust.core.CrustTimeoutException;
import io.crust.core.ConnectFailedException;
import io.crust.core.BanRule;
import io.crust.core.ConnectionInfo;
import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustEvents;
import io.crust.core.CrustException;
import io.crust.core.Identity;
import io.crust.core.MessageDelivery;
import io.crust.core.Peer;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.connect.Race;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.wire.WireCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node behind {@link io.crust.core.CrustNode}: owns the listeners, the peer table, the
 * event queue, the ticker and every service thread ({@link ThreadOwner}); {@link #close()} stops them all.
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);
    /** Room on the channel beyond the largest application message, for wire headers and relayed frames. */
    private static final int CHANNEL_HEADROOM_BYTES = 1024;
    /** Longest {@link #close()} waits for the node's threads to end. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    /** How long a TCP dial runs alone before crust-udt joins the race (RFC 8305's Connection Attempt Delay). */
    static final Duration TRANSPORT_STAGGER = Duration.ofMillis(250);

    final CrustConfig config;
    final Identity identity;
    final WireCodec codec;
    final EventQueue events;
    final PeerTable table;
    final Blacklist blacklist = new Blacklist();
    final ThreadOwner threads = new ThreadOwner();
    final Handshakes handshakes;
    final Router router;
    final Addresses addresses;
    private final Surroundings surroundings;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private ServerSocket tcpServer;

    private Node(CrustConfig config, Identity identity) {
        this.config = config;
        this.identity = identity;
        this.codec = new WireCodec(config.maxMessageBytes());
        this.events = new EventQueue(config.eventQueueCapacity());
        this.table = new PeerTable(identity.peerId(), events, config.maxConnections(), config.maxConnectionsPerAddress(),
                config.maxConnectionsPerPrefix(), config.maxMessageBytes(),
                config.messageDelivery() == MessageDelivery.PER_PEER ? config.peerInboxMessages() : 0);
        int channelMax = Math.max(config.maxMessageBytes(), WireCodec.MAX_RELAY_FRAME_BYTES) + CHANNEL_HEADROOM_BYTES;
        HandshakeParams params = new HandshakeParams(config.networkName(), HandshakeParams.CURRENT_PROTOCOL_VERSION,
                config.handshakeTimeout(), channelMax);
        this.router = new Router(this);
        this.addresses = new Addresses();
        this.surroundings = new Surroundings(this);
        this.handshakes = new Handshakes(identity, params, blacklist, table, events, config.maxPendingHandshakes(),
                config.maxPendingHandshakesPerAddress(), config.maxPendingHandshakesPerPrefix(), this::register, threads);
    }

    /** Starts a node; see {@link io.crust.core.CrustNode#start}. */
    public static Node start(CrustConfig config) throws CrustException {
        Identity identity;
        if (config.dataDir().isEmpty()) {
            identity = Identity.generate();
        } else {
            Path dir = config.dataDir().get();
            try {
                identity = Identity.loadOrCreate(dir);
            } catch (IOException e) {
                throw new CrustException("cannot load or create the identity in " + dir + ": " + e.getMessage(), e);
            }
        }
        Node node = new Node(config, identity);
        try {
            node.startListeners();
            node.router.start();
            node.surroundings.start();
            node.threads.start("crust-ticker", new Ticker(node)::run);
            return node;
        } catch (CrustException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    private void startListeners() throws CrustException {
        List<String> failures = new ArrayList<>();
        if (config.tcp()) {
            InetSocketAddress wanted = new InetSocketAddress(config.bindAddress(), config.listenTcpPort());
            try {
                ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                server.bind(wanted, 128);
                tcpServer = server;
                resources.add(server);
                InetSocketAddress bound = (InetSocketAddress) server.getLocalSocketAddress();
                addresses.tcpBound(bound);
                threads.start("crust-tcp-accept-" + bound.getPort(), this::acceptTcp);
                events.putUninterruptibly(new CrustEvent.ListenerStarted(Transport.TCP, LocalAddresses.connectable(bound)));
                log.info("{} listening on TCP {}", identity.peerId().shortForm(), bound);
            } catch (IOException e) {
                failures.add("TCP " + wanted + ": " + e.getMessage());
                events.putUninterruptibly(new CrustEvent.ListenerFailed(Transport.TCP, wanted, e.getMessage()));
            }
        }
        if (config.udp()) {
            try {
                router.udt().start(config);
            } catch (CrustException e) {
                failures.add("UDP: " + e.getMessage());
                events.putUninterruptibly(new CrustEvent.ListenerFailed(Transport.UDT,
                        new InetSocketAddress(config.bindAddress(), config.listenUdpPort()), e.getMessage()));
            }
        }
        if (addresses.tcpBound() == null && addresses.udpBound() == null) {
            throw new CrustException("no listener could start: " + String.join("; ", failures));
        }
    }

    private void acceptTcp() {
        ServerSocket server = tcpServer;
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                handshakes.acceptTcp(socket);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log.warn("TCP accept failed: {}", e.toString());
                    events.putUninterruptibly(new CrustEvent.ListenerFailed(Transport.TCP,
                            (InetSocketAddress) server.getLocalSocketAddress(), e.getMessage()));
                }
                return;
            }
        }
    }

    /** Turns an authenticated channel into a live connection: checks, HELLO, table, threads. */
    PeerHandle register(SecureChannel channel, PeerId initiator, Route route, Transport transport,
            InetSocketAddress remoteAddress) throws CrustException {
        PeerId remote = channel.remotePeer();
        ConnectFailedException refusal = null;
        if (remote.equals(identity.peerId())) {
            refusal = new ConnectFailedException(ConnectFailedException.Reason.SELF, "dialled ourselves");
        } else if (blacklist.bans(remote)) {
            refusal = new ConnectFailedException(ConnectFailedException.Reason.BANNED, "peer " + remote.shortForm() + " is banned");
        } else if (closed.get()) {
            refusal = new ConnectFailedException(ConnectFailedException.Reason.NODE_CLOSED, "node is closed");
        }
        if (refusal != null) {
            closeQuietly(channel);
            throw refusal;
        }
        if (route == Route.BOOTSTRAP_IN) {
            // An inbound dial from a peer we are meeting through a rendezvous is part of that race.
            route = router.rendezvous().inboundRoute(remote, remoteAddress).orElse(route);
        }
        PeerConnection connection = new PeerConnection(channel, initiator, route, transport, remoteAddress, codec,
                config.sendQueueMessages(), config.lowPriorityMaxAge().toNanos(), config.messagesPerSecondPerPeer(), router);
        connection.sendControl(router.hello(connection));
        PeerHandle handle = table.add(connection);
        if (handle == null) {
            connection.close(CloseCause.quiet("connection limit reached"));
            throw new ConnectFailedException(ConnectFailedException.Reason.LIMIT_REACHED,
                    "connection limit of " + config.maxConnections() + " reached");
        }
        log.debug("registered connection {} to {} ({} {} at {}, dialled by {})", connection.serial(), remote.shortForm(),
                route, transport, remoteAddress, initiator.shortForm());
        connection.start();
        router.connected(connection);
        return handle;
    }

    public PeerId id() {
        return identity.peerId();
    }

    public Optional<InetSocketAddress> tcpAddress() {
        return Optional.ofNullable(addresses.tcpBound()).map(LocalAddresses::connectable);
    }

    public Optional<InetSocketAddress> udpAddress() {
        return Optional.ofNullable(addresses.udpBound()).map(LocalAddresses::connectable);
    }

    public List<InetSocketAddress> externalAddresses() {
        return addresses.external();
    }

    public ConnectionInfo connectionInfo() {
        return addresses.info(identity.peerId());
    }

    public CrustEvents events() {
        return events;
    }

    public Peer connect(PeerId id, Duration timeout) throws ConnectFailedException, CrustTimeoutException {
        Optional<PeerHandle> existing = table.handle(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        if (blacklist.bans(id)) {
            throw new ConnectFailedException(ConnectFailedException.Reason.BANNED, "peer " + id.shortForm() + " is banned");
        }
        try {
            return router.rendezvous().connect(id, timeout);
        } catch (CrustException e) {
            throw ConnectFailures.rethrow(e);
        }
    }

    public Peer connect(InetSocketAddress address, Duration timeout) throws ConnectFailedException, CrustTimeoutException {
        try {
            return dial(address, null, Route.DIRECT, timeout);
        } catch (CrustException e) {
            throw ConnectFailures.rethrow(e);
        }
    }

    public Peer connect(ConnectionInfo info, Duration timeout) throws ConnectFailedException, CrustTimeoutException {
        Optional<PeerHandle> existing = table.handle(info.id());
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            return router.dialInfo(info, Route.DIRECT, timeout);
        } catch (CrustException e) {
            throw ConnectFailures.rethrow(e);
        }
    }

    /**
     * Dials one address over TCP and crust-udt, TCP first and crust-udt {@link #TRANSPORT_STAGGER} later
     * (or at once if TCP fails first): a host that silently drops TCP costs the stagger, not the timeout.
     */
    PeerHandle dial(InetSocketAddress address, PeerId expected, Route route, Duration timeout) throws CrustException {
        Race<PeerHandle> race = new Race<>(address.toString());
        if (config.tcp()) {
            race.then("tcp", Duration.ZERO, connected -> handshakes.dialTcp(address, expected, route, timeout, connected));
        }
        if (config.udp() && router.udt().isRunning()) {
            race.then("udt", TRANSPORT_STAGGER, connected -> router.udt().dial(address, expected, route, timeout, connected));
        }
        if (race.isEmpty()) {
            throw new ConnectFailedException(ConnectFailedException.Reason.NO_ADDRESS, "cannot reach " + address + ": no transport enabled");
        }
        return race.run(timeout);
    }

    public List<Peer> peers() {
        return List.copyOf(table.handles());
    }

    public Optional<Peer> peer(PeerId id) {
        return table.handle(id).map(h -> h);
    }

    public Peer awaitPeer(PeerId id, Duration timeout) throws CrustTimeoutException, InterruptedException {
        return table.await(id, timeout.toNanos()).orElseThrow(() -> new CrustTimeoutException(
                "peer " + id.shortForm() + " not connected within " + timeout.toMillis() + " ms"));
    }

    public Set<PeerId> knownPeers() {
        return router.knownPeers();
    }

    public void drop(PeerId id) {
        table.handle(id).ifPresent(PeerHandle::close);
    }

    public void ban(BanRule rule) {
        blacklist.add(rule);
        for (PeerConnection c : table.allConnections()) {
            if (rule.matches(c.remote()) || (c.remoteAddress() != null && rule.matches(c.remoteAddress().getAddress()))) {
                c.close(CloseCause.lost(CrustEvent.PeerLost.Reason.BANNED, "banned"));
            }
        }
    }

    public void unban(BanRule rule) {
        blacklist.remove(rule);
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        threads.close();
        for (AutoCloseable resource : resources) {
            closeQuietly(resource);
        }
        router.close();
        surroundings.close();
        List<PeerConnection> open = table.close();
        for (PeerConnection c : open) {
            c.close(CloseCause.quiet("node shutting down"));
        }
        events.close();
        // Let the threads finish their last step (a cache write, a log line) before the caller moves on.
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            for (PeerConnection c : open) {
                c.awaitTermination(deadline);
            }
            threads.awaitTermination(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("{} closed", identity.peerId().shortForm());
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.trace("close failed: {}", e.toString());
        }
    }
}
