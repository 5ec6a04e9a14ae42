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
import io.crust.core.connect.Rendezvous;
import io.crust.core.connect.TcpPunch;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.relay.Relay;
import io.crust.core.wire.WireCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node behind {@link io.crust.core.CrustNode}: owns the listeners, the peer table, the
 * event queue, the ticker and every service thread ({@link ThreadOwner}); {@link #close()} stops them all.
 *
 * <p>The constructor builds the services in dependency order, each from the finished ones before it;
 * no thread starts until {@link #start} has the whole node. One edge points back, because connections
 * make connections (a FORWARD starts dials whose handshakes register connections handled by the same
 * {@link Dispatcher}): {@link Handshakes} reaches the {@link ConnectionRegistrar}, built last, through
 * {@link #register}, which it calls only once a listener or a dial runs.
 *
 * <p>Threads: the application's, for the public methods.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** Room on the channel beyond the largest application message, for wire headers and relayed frames. */
    private static final int CHANNEL_HEADROOM_BYTES = 1024;
    /** Longest {@link #close()} waits for the node's threads to end. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    private final CrustConfig config;
    /**
     * The clock every decision of this node reads (liveness, orphans, backoff, meetings):
     * {@code System::nanoTime}. Blocking waits run on real time.
     */
    private final LongSupplier nanoClock;
    private final Identity identity;
    private final EventQueue events;
    private final PeerTable table;
    private final Blacklist blacklist = new Blacklist();
    private final ThreadOwner threads = new ThreadOwner();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Addresses addresses = new Addresses();
    private final Hellos hellos;
    private final Handshakes handshakes;
    private final TcpSide tcp;
    private final UdtSide udt;
    private final Dialer dialer;
    private final Relay relay;
    private final Rendezvous rendezvous;
    private final GossipSide gossip;
    private final Bootstrap bootstrap;
    private final Group group;
    private final Dispatcher dispatcher;
    private final Surroundings surroundings;
    private final ConnectionRegistrar registrar;

    private Node(CrustConfig config, Identity identity) {
        this.config = config;
        this.nanoClock = System::nanoTime;
        this.identity = identity;
        WireCodec codec = new WireCodec(config.maxMessageBytes());
        this.events = new EventQueue(config.eventQueueCapacity());
        this.table = new PeerTable(identity.peerId(), events, config.maxConnections(), config.maxConnectionsPerAddress(),
                config.maxConnectionsPerPrefix(), config.maxMessageBytes(),
                config.messageDelivery() == MessageDelivery.PER_PEER ? config.peerInboxMessages() : 0, this::dropped, nanoClock,
                config.resumeWindow().toNanos());
        int channelMax = Math.max(config.maxMessageBytes(), WireCodec.MAX_RELAY_FRAME_BYTES) + CHANNEL_HEADROOM_BYTES;
        HandshakeParams params = new HandshakeParams(config.networkName(), HandshakeParams.CURRENT_PROTOCOL_VERSION,
                config.handshakeTimeout(), channelMax);
        PeerId self = identity.peerId();
        OpenConnections connections = new OpenConnections(table);
        this.hellos = new Hellos(config.relay(), self, addresses, connections);
        this.handshakes = new Handshakes(identity, params, blacklist, table, events, config.maxPendingHandshakes(),
                config.maxPendingHandshakesPerAddress(), config.maxPendingHandshakesPerPrefix(),
                this::register, threads);
        this.tcp = new TcpSide(self, handshakes, addresses, events, threads);
        this.udt = new UdtSide(self, handshakes, addresses, blacklist, events, threads, closed::get);
        this.dialer = new Dialer(config, handshakes, udt, table, () -> LocalAddresses.hasGlobalIpv6(config.bindAddress()));
        this.relay = new Relay(new RelayHost(self, connections, blacklist, handshakes, threads), config.relay(),
                config.relayMaxCircuits(), config.relayMaxBytesPerCircuit(), config.relayTapForTesting());
        Optional<TcpPunch.Tcp> tcpPunch = config.tcp()
                ? Optional.of(new TcpPunchHost(config.bindAddress(), handshakes)) : Optional.empty();
        this.rendezvous = new Rendezvous(new RendezvousHost(self, addresses, connections, table, blacklist,
                config.directPathsDisabledForTesting(), dialer, hellos, relay, tcpPunch, new HolePunchHost(udt, hellos),
                threads), nanoClock);
        this.gossip = new GossipSide(identity, config.networkName(), addresses, connections, events, nanoClock);
        this.bootstrap = new Bootstrap(config, handshakes, udt, table, events, threads, closed::get);
        this.group = new Group(config, self, table, blacklist, threads, gossip, bootstrap, dialer, rendezvous, nanoClock);
        this.dispatcher = new Dispatcher(config.messageDelivery(), table, events, hellos, gossip, rendezvous, relay,
                bootstrap, addresses, udt, threads);
        this.surroundings = new Surroundings(config, addresses, gossip, table, blacklist, dialer, threads, closed::get);
        this.registrar = new ConnectionRegistrar(self, config, codec, blacklist, closed::get, rendezvous, hellos, table,
                dispatcher, gossip, nanoClock);
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
            node.bootstrap.start();
            node.surroundings.start();
            Ticker.Jobs jobs = new Ticker.Jobs(node.rendezvous::retryDirect, node.gossip::publishOwnRecord,
                    node.group::tick, node.bootstrap::flushCache);
            Ticker ticker = new Ticker(config, node.table, jobs, node.closed::get, node.nanoClock);
            node.threads.start("crust-ticker", ticker::run);
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
                tcp.start(wanted);
            } catch (IOException e) {
                failures.add("TCP " + wanted + ": " + e.getMessage());
                events.putUninterruptibly(new CrustEvent.ListenerFailed(Transport.TCP, wanted, e.getMessage()));
            }
        }
        if (config.udp()) {
            InetSocketAddress wanted = new InetSocketAddress(config.bindAddress(), config.listenUdpPort());
            try {
                udt.start(wanted);
            } catch (CrustException e) {
                failures.add("UDP: " + e.getMessage());
                events.putUninterruptibly(new CrustEvent.ListenerFailed(Transport.UDT, wanted, e.getMessage()));
            }
        }
        if (addresses.tcpBound() == null && addresses.udpBound() == null) {
            throw new CrustException("no listener could start: " + String.join("; ", failures));
        }
    }

    /** The application closed the peer: the attempts still running towards it must not bring it back. */
    private void dropped(PeerId peer) {
        rendezvous.cancelAttempts(peer, nanoClock.getAsLong());
    }

    /** Handshakes' way back (see the class comment): the registrar exists before any handshake runs. */
    private PeerHandle register(SecureChannel channel, PeerId initiator, Route route, Transport transport,
            InetSocketAddress remoteAddress) throws CrustException {
        return registrar.register(channel, initiator, route, transport, remoteAddress);
    }

    /** How many connections this node has registered since it started, duplicates included (for tests). */
    long registeredConnections() {
        return table.added();
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
        Optional<PeerHandle> existing = table.connected(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        if (blacklist.bans(id)) {
            throw new ConnectFailedException(ConnectFailedException.Reason.BANNED, "peer " + id.shortForm() + " is banned");
        }
        try {
            return rendezvous.connect(id, timeout);
        } catch (CrustException e) {
            throw ConnectFailures.rethrow(e);
        }
    }

    public Peer connect(InetSocketAddress address, Duration timeout) throws ConnectFailedException, CrustTimeoutException {
        try {
            return dialer.dial(address, null, Route.DIRECT, timeout);
        } catch (CrustException e) {
            throw ConnectFailures.rethrow(e);
        }
    }

    public Peer connect(ConnectionInfo info, Duration timeout) throws ConnectFailedException, CrustTimeoutException {
        Optional<PeerHandle> existing = table.connected(info.id());
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            return dialer.dialInfo(info, Route.DIRECT, timeout);
        } catch (CrustException e) {
            throw ConnectFailures.rethrow(e);
        }
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
        return group.knownPeers();
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

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        threads.close();
        tcp.close();
        udt.close();
        bootstrap.close();
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
        LOG.info("{} closed", identity.peerId().shortForm());
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.trace("close failed: {}", e.toString());
        }
    }
}
