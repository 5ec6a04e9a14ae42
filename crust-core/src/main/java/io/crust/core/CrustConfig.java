package io.crust.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Configuration of a {@link CrustNode}; build one with {@link #builder()}. Every setting has a safe
 * default. Without {@link Builder#dataDir(Path)} the node is ephemeral: a new identity (so a new
 * {@link PeerId}) each start, kept only in memory, and no bootstrap cache. Immutable.
 */
public final class CrustConfig {
    private final Path dataDir;
    private final String networkName;
    private final InetAddress bindAddress;
    private final int listenTcpPort;
    private final int listenUdpPort;
    private final List<InetSocketAddress> contacts;
    private final boolean tcp;
    private final boolean udp;
    private final boolean portMapping;
    private final boolean lanBeacon;
    private final int lanPort;
    private final boolean relay;
    private final int relayMaxCircuits;
    private final long relayMaxBytesPerCircuit;
    private final Duration heartbeatInterval;
    private final Duration heartbeatTimeout;
    private final Duration handshakeTimeout;
    private final Duration bootstrapTimeout;
    private final int bootstrapFanOut;
    private final int maxConnections;
    private final int maxPendingHandshakes;
    private final int maxPendingHandshakesPerAddress;
    private final int maxPendingHandshakesPerPrefix;
    private final int maxConnectionsPerAddress;
    private final int maxConnectionsPerPrefix;
    private final int maxMessageBytes;
    private final int messagesPerSecondPerPeer;
    private final int sendQueueMessages;
    private final Duration lowPriorityMaxAge;
    private final int eventQueueCapacity;
    private final MessageDelivery messageDelivery;
    private final int peerInboxMessages;
    private final Set<PeerId> targetPeers;
    private final int targetPeerCount;
    private final boolean directPathsDisabledForTesting;
    private final Consumer<byte[]> relayTapForTesting;

    private CrustConfig(Builder b) {
        this.dataDir = b.dataDir;
        this.networkName = b.networkName;
        this.bindAddress = b.bindAddress;
        this.listenTcpPort = b.listenTcpPort;
        this.listenUdpPort = b.listenUdpPort;
        this.contacts = List.copyOf(b.contacts);
        this.tcp = b.tcp;
        this.udp = b.udp;
        this.portMapping = b.portMapping;
        this.lanBeacon = b.lanBeacon;
        this.lanPort = b.lanPort;
        this.relay = b.relay;
        this.relayMaxCircuits = b.relayMaxCircuits;
        this.relayMaxBytesPerCircuit = b.relayMaxBytesPerCircuit;
        this.heartbeatInterval = b.heartbeatInterval;
        this.heartbeatTimeout = b.heartbeatTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.bootstrapTimeout = b.bootstrapTimeout;
        this.bootstrapFanOut = b.bootstrapFanOut;
        this.maxConnections = b.maxConnections;
        this.maxPendingHandshakes = b.maxPendingHandshakes;
        this.maxPendingHandshakesPerAddress = b.maxPendingHandshakesPerAddress;
        this.maxPendingHandshakesPerPrefix = b.maxPendingHandshakesPerPrefix;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.maxConnectionsPerPrefix = b.maxConnectionsPerPrefix;
        this.maxMessageBytes = b.maxMessageBytes;
        this.messagesPerSecondPerPeer = b.messagesPerSecondPerPeer;
        this.sendQueueMessages = b.sendQueueMessages;
        this.lowPriorityMaxAge = b.lowPriorityMaxAge;
        this.eventQueueCapacity = b.eventQueueCapacity;
        this.messageDelivery = b.messageDelivery;
        this.peerInboxMessages = b.peerInboxMessages;
        this.targetPeers = Set.copyOf(b.targetPeers);
        this.targetPeerCount = b.targetPeerCount;
        this.directPathsDisabledForTesting = b.directPathsDisabledForTesting;
        this.relayTapForTesting = b.relayTapForTesting;
        if (!tcp && !udp) {
            throw new IllegalArgumentException("at least one of tcp and udp must be enabled");
        }
        if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("heartbeatTimeout (" + heartbeatTimeout
                    + ") must be longer than heartbeatInterval (" + heartbeatInterval + ")");
        }
    }

    /** A builder with the defaults documented on each setter. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Where the identity key and the bootstrap cache are kept; empty for an ephemeral node (a fresh
     * identity in memory, no bootstrap cache).
     */
    public Optional<Path> dataDir() { return Optional.ofNullable(dataDir); }
    /** Peers of another network name refuse each other during the handshake. */
    public String networkName() { return networkName; }
    /** Local address the listeners bind to. */
    public InetAddress bindAddress() { return bindAddress; }
    /** TCP listen port; 0 means a random free port. */
    public int listenTcpPort() { return listenTcpPort; }
    /** UDP (crust-udt and STUN) listen port; 0 means a random free port. */
    public int listenUdpPort() { return listenUdpPort; }
    /** Fallback contacts tried at bootstrap after the cache. */
    public List<InetSocketAddress> contacts() { return contacts; }
    /** Whether TCP is used. */
    public boolean tcp() { return tcp; }
    /** Whether crust-udt over UDP is used. */
    public boolean udp() { return udp; }
    /** Whether to ask the router for port mappings (UPnP, NAT-PMP, PCP). */
    public boolean portMapping() { return portMapping; }
    /** Whether to announce and listen on the LAN beacon. */
    public boolean lanBeacon() { return lanBeacon; }
    /** UDP port of the LAN beacon. */
    public int lanPort() { return lanPort; }
    /** Whether this node relays traffic between two other peers. */
    public boolean relay() { return relay; }
    /** Most relay circuits served at once. */
    public int relayMaxCircuits() { return relayMaxCircuits; }
    /** Most bytes forwarded per relay circuit, both directions together; then it is closed. */
    public long relayMaxBytesPerCircuit() { return relayMaxBytesPerCircuit; }
    /** How often a heartbeat is sent on an otherwise idle connection. */
    public Duration heartbeatInterval() { return heartbeatInterval; }
    /** A peer silent for this long is lost. */
    public Duration heartbeatTimeout() { return heartbeatTimeout; }
    /** Longest time a handshake may take, inbound or outbound. */
    public Duration handshakeTimeout() { return handshakeTimeout; }
    /** Overall time limit of bootstrap. */
    public Duration bootstrapTimeout() { return bootstrapTimeout; }
    /** Most bootstrap candidates dialled at once. */
    public int bootstrapFanOut() { return bootstrapFanOut; }
    /** Most peer connections at once; more are refused. */
    public int maxConnections() { return maxConnections; }
    /** Most inbound handshakes in progress at once; more are refused. */
    public int maxPendingHandshakes() { return maxPendingHandshakes; }
    /** Most inbound handshakes in progress from one source address. */
    public int maxPendingHandshakesPerAddress() { return maxPendingHandshakesPerAddress; }
    /** Most inbound handshakes in progress from one /24 (IPv4) or /48 (IPv6) prefix. */
    public int maxPendingHandshakesPerPrefix() { return maxPendingHandshakesPerPrefix; }
    /** Most connections a remote host dialled from one source address. */
    public int maxConnectionsPerAddress() { return maxConnectionsPerAddress; }
    /** Most connections remote hosts dialled from one /24 (IPv4) or /48 (IPv6) prefix. */
    public int maxConnectionsPerPrefix() { return maxConnectionsPerPrefix; }
    /** Largest application message, in bytes, sent or accepted. */
    public int maxMessageBytes() { return maxMessageBytes; }
    /** Most messages per second accepted from one peer (averaged over a short burst window). */
    public int messagesPerSecondPerPeer() { return messagesPerSecondPerPeer; }
    /** Capacity of each connection's HIGH and LOW send queues, in messages. */
    public int sendQueueMessages() { return sendQueueMessages; }
    /** A LOW-priority message older than this when its turn comes is dropped. */
    public Duration lowPriorityMaxAge() { return lowPriorityMaxAge; }
    /** Capacity of the event queue. */
    public int eventQueueCapacity() { return eventQueueCapacity; }
    /** Where received messages go: the node's events or each peer's inbox. */
    public MessageDelivery messageDelivery() { return messageDelivery; }
    /** Capacity of each peer's inbox with {@link MessageDelivery#PER_PEER}, in messages. */
    public int peerInboxMessages() { return peerInboxMessages; }
    /** Peers the group keeps connected, reconnecting with backoff when lost. */
    public Set<PeerId> targetPeers() { return targetPeers; }
    /** Number of peers the group tries to keep connected (0: no target). */
    public int targetPeerCount() { return targetPeerCount; }
    /** Test-only: see {@link Builder#disableDirectPathsForTesting()}. */
    public boolean directPathsDisabledForTesting() { return directPathsDisabledForTesting; }
    /** Test-only: see {@link Builder#relayTapForTesting(Consumer)}; null when not set. */
    public Consumer<byte[]> relayTapForTesting() { return relayTapForTesting; }

    /** Builds a {@link CrustConfig}. */
    public static final class Builder {
        private Path dataDir;
        private String networkName = "crust";
        private InetAddress bindAddress = anyLocal();
        private int listenTcpPort;
        private int listenUdpPort;
        private List<InetSocketAddress> contacts = List.of();
        private boolean tcp = true;
        private boolean udp = true;
        private boolean portMapping;
        private boolean lanBeacon;
        private int lanPort = 5484;
        private boolean relay;
        private int relayMaxCircuits = 16;
        private long relayMaxBytesPerCircuit = 64L * 1024 * 1024;
        private Duration heartbeatInterval = Duration.ofSeconds(2);
        private Duration heartbeatTimeout = Duration.ofSeconds(8);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration bootstrapTimeout = Duration.ofSeconds(20);
        private int bootstrapFanOut = 8;
        private int maxConnections = 256;
        private int maxPendingHandshakes = 64;
        private int maxPendingHandshakesPerAddress = 16;
        private int maxPendingHandshakesPerPrefix = 32;
        private int maxConnectionsPerAddress = 32;
        private int maxConnectionsPerPrefix = 64;
        private int maxMessageBytes = 1024 * 1024;
        private int messagesPerSecondPerPeer = 10_000;
        private int sendQueueMessages = 256;
        private Duration lowPriorityMaxAge = Duration.ofSeconds(5);
        private int eventQueueCapacity = 4096;
        private MessageDelivery messageDelivery = MessageDelivery.EVENTS;
        private int peerInboxMessages = 256;
        private Set<PeerId> targetPeers = Set.of();
        private int targetPeerCount;
        private boolean directPathsDisabledForTesting;
        private Consumer<byte[]> relayTapForTesting;

        private Builder() {
        }

        /**
         * Directory of the identity key and the bootstrap cache, created if missing (default none: an
         * ephemeral node with a new identity each start and no bootstrap cache).
         */
        public Builder dataDir(Path dir) { this.dataDir = Objects.requireNonNull(dir); return this; }
        /** Network name (default {@code "crust"}); peers of other networks are refused. */
        public Builder networkName(String name) {
            if (name == null || name.isEmpty() || name.length() > 64) {
                throw new IllegalArgumentException("network name must have 1 to 64 characters");
            }
            this.networkName = name;
            return this;
        }
        /** Local address to listen on (default: all interfaces). Tests use 127.0.0.1. */
        public Builder bindAddress(InetAddress address) { this.bindAddress = Objects.requireNonNull(address); return this; }
        /** TCP listen port (default 0: random). */
        public Builder listenTcpPort(int port) { this.listenTcpPort = port(port); return this; }
        /** UDP listen port (default 0: random). */
        public Builder listenUdpPort(int port) { this.listenUdpPort = port(port); return this; }
        /** Fallback bootstrap contacts (default none). */
        public Builder contacts(List<InetSocketAddress> list) { this.contacts = List.copyOf(list); return this; }
        /** Use TCP (default true). */
        public Builder tcp(boolean on) { this.tcp = on; return this; }
        /** Use crust-udt over UDP (default true). */
        public Builder udp(boolean on) { this.udp = on; return this; }
        /** Ask the router for port mappings (default false: it talks to the gateway). */
        public Builder portMapping(boolean on) { this.portMapping = on; return this; }
        /** Announce and listen on the LAN beacon (default false: it sends multicast and broadcast). */
        public Builder lanBeacon(boolean on) { this.lanBeacon = on; return this; }
        /** LAN beacon UDP port (default 5484). */
        public Builder lanPort(int port) { this.lanPort = port(port); return this; }
        /** Relay traffic for other peers (default false). */
        public Builder relay(boolean on) { this.relay = on; return this; }
        /** Most relay circuits at once (default 16). */
        public Builder relayMaxCircuits(int n) { this.relayMaxCircuits = positive(n, "relayMaxCircuits"); return this; }
        /** Most bytes per relay circuit (default 64 MiB). */
        public Builder relayMaxBytesPerCircuit(long bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("relayMaxBytesPerCircuit must be positive");
            this.relayMaxBytesPerCircuit = bytes;
            return this;
        }
        /** Heartbeat interval (default 2 s). */
        public Builder heartbeatInterval(Duration d) { this.heartbeatInterval = positive(d, "heartbeatInterval"); return this; }
        /** Silence after which a peer is lost (default 8 s). */
        public Builder heartbeatTimeout(Duration d) { this.heartbeatTimeout = positive(d, "heartbeatTimeout"); return this; }
        /** Handshake time limit (default 10 s). */
        public Builder handshakeTimeout(Duration d) { this.handshakeTimeout = positive(d, "handshakeTimeout"); return this; }
        /** Overall bootstrap time limit (default 20 s). */
        public Builder bootstrapTimeout(Duration d) { this.bootstrapTimeout = positive(d, "bootstrapTimeout"); return this; }
        /** Bootstrap candidates dialled at once (default 8). */
        public Builder bootstrapFanOut(int n) { this.bootstrapFanOut = positive(n, "bootstrapFanOut"); return this; }
        /** Most connections (default 256). */
        public Builder maxConnections(int n) { this.maxConnections = positive(n, "maxConnections"); return this; }
        /** Most inbound handshakes in progress (default 64). */
        public Builder maxPendingHandshakes(int n) { this.maxPendingHandshakes = positive(n, "maxPendingHandshakes"); return this; }
        /**
         * Most inbound handshakes in progress from one source address (default 16): one host that
         * connects and sends nothing cannot hold every slot for the handshake timeout.
         */
        public Builder maxPendingHandshakesPerAddress(int n) {
            this.maxPendingHandshakesPerAddress = positive(n, "maxPendingHandshakesPerAddress");
            return this;
        }
        /**
         * Most inbound handshakes in progress from one /24 (IPv4) or /48 (IPv6) prefix (default 32):
         * the addresses of one network, or one customer's IPv6 block, cannot hold every slot.
         */
        public Builder maxPendingHandshakesPerPrefix(int n) {
            this.maxPendingHandshakesPerPrefix = positive(n, "maxPendingHandshakesPerPrefix");
            return this;
        }
        /**
         * Most connections dialled by remote hosts from one source address (default 32). Connections
         * this node dialled do not count.
         */
        public Builder maxConnectionsPerAddress(int n) {
            this.maxConnectionsPerAddress = positive(n, "maxConnectionsPerAddress");
            return this;
        }
        /**
         * Most connections dialled by remote hosts from one /24 (IPv4) or /48 (IPv6) prefix
         * (default 64). Connections this node dialled do not count.
         */
        public Builder maxConnectionsPerPrefix(int n) {
            this.maxConnectionsPerPrefix = positive(n, "maxConnectionsPerPrefix");
            return this;
        }
        /** Largest message in bytes (default 1 MiB, at most 16 MiB). */
        public Builder maxMessageBytes(int n) {
            if (n <= 0 || n > 16 * 1024 * 1024) throw new IllegalArgumentException("maxMessageBytes must be in 1..16 MiB");
            this.maxMessageBytes = n;
            return this;
        }
        /** Most messages per second from one peer (default 10,000). */
        public Builder messagesPerSecondPerPeer(int n) { this.messagesPerSecondPerPeer = positive(n, "messagesPerSecondPerPeer"); return this; }
        /** Send queue capacity per priority (default 256 messages). */
        public Builder sendQueueMessages(int n) { this.sendQueueMessages = positive(n, "sendQueueMessages"); return this; }
        /** Age after which a queued LOW message is dropped (default 5 s). */
        public Builder lowPriorityMaxAge(Duration d) { this.lowPriorityMaxAge = positive(d, "lowPriorityMaxAge"); return this; }
        /** Event queue capacity (default 4096). */
        public Builder eventQueueCapacity(int n) { this.eventQueueCapacity = positive(n, "eventQueueCapacity"); return this; }
        /**
         * Where received messages go (default {@link MessageDelivery#EVENTS}): every message to exactly
         * one of the node's events or the sending peer's inbox for {@link Peer#receive}.
         */
        public Builder messageDelivery(MessageDelivery delivery) { this.messageDelivery = Objects.requireNonNull(delivery); return this; }
        /**
         * Messages each peer's inbox holds with {@link MessageDelivery#PER_PEER} before that peer's
         * connection stops being read (default 256).
         */
        public Builder peerInboxMessages(int n) { this.peerInboxMessages = positive(n, "peerInboxMessages"); return this; }
        /** Peers to keep connected (default none). */
        public Builder targetPeers(Set<PeerId> peers) { this.targetPeers = Set.copyOf(peers); return this; }
        /** Number of peers to keep connected (default 0: no target). */
        public Builder targetPeerCount(int n) {
            if (n < 0) throw new IllegalArgumentException("targetPeerCount must not be negative");
            this.targetPeerCount = n;
            return this;
        }
        /**
         * TEST-ONLY opt-out: never dial or accept direct paths for {@code connect(PeerId)}, so that the
         * relay fallback is exercised on loopback. Never use it in production.
         */
        public Builder disableDirectPathsForTesting() { this.directPathsDisabledForTesting = true; return this; }
        /**
         * TEST-ONLY: when this node relays, it hands {@code tap} every RELAY_DATA frame it forwards,
         * exactly the bytes it sees, so a test can check that they are ciphertext. Called on the
         * forwarding thread; never use it in production.
         */
        public Builder relayTapForTesting(Consumer<byte[]> tap) { this.relayTapForTesting = tap; return this; }

        /** The configuration. @throws IllegalArgumentException if a setting contradicts another */
        public CrustConfig build() {
            return new CrustConfig(this);
        }

        private static int port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is outside 0..65535");
            return port;
        }

        private static int positive(int n, String name) {
            if (n <= 0) throw new IllegalArgumentException(name + " must be positive, got " + n);
            return n;
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be a positive duration");
            return d;
        }

        private static InetAddress anyLocal() {
            return new InetSocketAddress(0).getAddress();
        }
    }
}
