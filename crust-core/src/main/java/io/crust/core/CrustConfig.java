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
    private final Duration resumeWindow;
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
        this.resumeWindow = b.resumeWindow;
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

    /** {@return a builder with the defaults documented on each setter} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@return where the identity key and the bootstrap cache are kept} Empty for an ephemeral node (a fresh
     * identity in memory, no bootstrap cache).
     */
    public Optional<Path> dataDir() { return Optional.ofNullable(dataDir); }
    /** {@return the network name} Peers of another network name refuse each other during the handshake. */
    public String networkName() { return networkName; }
    /** {@return the local address the listeners bind to} */
    public InetAddress bindAddress() { return bindAddress; }
    /** {@return the TCP listen port} 0 means a random free port. */
    public int listenTcpPort() { return listenTcpPort; }
    /** {@return the UDP (crust-udt and STUN) listen port} 0 means a random free port. */
    public int listenUdpPort() { return listenUdpPort; }
    /** {@return the fallback contacts tried at bootstrap after the cache} */
    public List<InetSocketAddress> contacts() { return contacts; }
    /** {@return whether TCP is used} */
    public boolean tcp() { return tcp; }
    /** {@return whether crust-udt over UDP is used} */
    public boolean udp() { return udp; }
    /** {@return whether to ask the router for port mappings (UPnP, NAT-PMP, PCP) and IPv6 firewall pinholes (PCP, UPnP)} */
    public boolean portMapping() { return portMapping; }
    /** {@return whether to announce and listen on the LAN beacon} */
    public boolean lanBeacon() { return lanBeacon; }
    /** {@return the UDP port of the LAN beacon} */
    public int lanPort() { return lanPort; }
    /** {@return whether this node relays traffic between two other peers} */
    public boolean relay() { return relay; }
    /** {@return the most relay circuits served at once} */
    public int relayMaxCircuits() { return relayMaxCircuits; }
    /** {@return the most bytes forwarded per relay circuit, both directions together} Then it is closed. */
    public long relayMaxBytesPerCircuit() { return relayMaxBytesPerCircuit; }
    /** {@return how often a heartbeat is sent on an otherwise idle connection} */
    public Duration heartbeatInterval() { return heartbeatInterval; }
    /** {@return how long a peer may stay silent before it is lost} */
    public Duration heartbeatTimeout() { return heartbeatTimeout; }
    /** {@return the longest time a handshake may take, inbound or outbound} */
    public Duration handshakeTimeout() { return handshakeTimeout; }
    /** {@return the overall time limit of bootstrap} */
    public Duration bootstrapTimeout() { return bootstrapTimeout; }
    /** {@return the most bootstrap candidates dialled at once} */
    public int bootstrapFanOut() { return bootstrapFanOut; }
    /** {@return the most peer connections at once} More are refused. */
    public int maxConnections() { return maxConnections; }
    /** {@return the most inbound handshakes in progress at once} More are refused. */
    public int maxPendingHandshakes() { return maxPendingHandshakes; }
    /** {@return the most inbound handshakes in progress from one source address} */
    public int maxPendingHandshakesPerAddress() { return maxPendingHandshakesPerAddress; }
    /** {@return the most inbound handshakes in progress from one /24 (IPv4) or /48 (IPv6) prefix} */
    public int maxPendingHandshakesPerPrefix() { return maxPendingHandshakesPerPrefix; }
    /** {@return the most connections a remote host dialled from one source address} */
    public int maxConnectionsPerAddress() { return maxConnectionsPerAddress; }
    /** {@return the most connections remote hosts dialled from one /24 (IPv4) or /48 (IPv6) prefix} */
    public int maxConnectionsPerPrefix() { return maxConnectionsPerPrefix; }
    /** {@return the largest application message, in bytes, sent or accepted} */
    public int maxMessageBytes() { return maxMessageBytes; }
    /** {@return the most messages per second accepted from one peer} Averaged over a short burst window. */
    public int messagesPerSecondPerPeer() { return messagesPerSecondPerPeer; }
    /** {@return the capacity of each connection's HIGH and LOW send queues, in messages} */
    public int sendQueueMessages() { return sendQueueMessages; }
    /** {@return the age at which a LOW-priority message is dropped instead of sent when its turn comes} */
    public Duration lowPriorityMaxAge() { return lowPriorityMaxAge; }
    /**
     * {@return how long a peer whose connection broke stays open while the connection is redialled and
     * continued (resumption, docs/connection-group.md)} Zero: a broken connection ends the peer at once.
     */
    public Duration resumeWindow() { return resumeWindow; }
    /** {@return the capacity of the event queue, in events} */
    public int eventQueueCapacity() { return eventQueueCapacity; }
    /** {@return where received messages go: the node's events or each peer's inbox} */
    public MessageDelivery messageDelivery() { return messageDelivery; }
    /** {@return the capacity of each peer's inbox with {@link MessageDelivery#PER_PEER}, in messages} */
    public int peerInboxMessages() { return peerInboxMessages; }
    /** {@return the peers the group keeps connected, reconnecting with backoff when lost} */
    public Set<PeerId> targetPeers() { return targetPeers; }
    /** {@return the number of peers the group tries to keep connected} 0: no target. */
    public int targetPeerCount() { return targetPeerCount; }
    /** {@return true when direct paths are off} Test-only: see {@link Builder#disableDirectPathsForTesting()}. */
    public boolean directPathsDisabledForTesting() { return directPathsDisabledForTesting; }
    /** {@return the tap on relayed frames, or null when not set} Test-only: see {@link Builder#relayTapForTesting(Consumer)}. */
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
        private Duration resumeWindow = Duration.ofSeconds(5);
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
         *
         * @param dir the directory, not null
         * @return this builder
         */
        public Builder dataDir(Path dir) { this.dataDir = Objects.requireNonNull(dir); return this; }
        /**
         * Network name (default {@code "crust"}); peers of other networks are refused.
         *
         * @param name 1 to 64 characters
         * @return this builder
         * @throws IllegalArgumentException if name is null, empty or longer
         */
        public Builder networkName(String name) {
            if (name == null || name.isEmpty() || name.length() > 64) {
                throw new IllegalArgumentException("network name must have 1 to 64 characters");
            }
            this.networkName = name;
            return this;
        }
        /**
         * Local address to listen on (default: all interfaces). Tests use 127.0.0.1.
         *
         * @param address a local address, or the wildcard address for all interfaces
         * @return this builder
         */
        public Builder bindAddress(InetAddress address) { this.bindAddress = Objects.requireNonNull(address); return this; }
        /**
         * TCP listen port (default 0: random).
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if port is out of range
         */
        public Builder listenTcpPort(int port) { this.listenTcpPort = port(port); return this; }
        /**
         * UDP listen port (default 0: random).
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if port is out of range
         */
        public Builder listenUdpPort(int port) { this.listenUdpPort = port(port); return this; }
        /**
         * Fallback bootstrap contacts (default none).
         *
         * @param list the contacts' addresses; copied
         * @return this builder
         */
        public Builder contacts(List<InetSocketAddress> list) { this.contacts = List.copyOf(list); return this; }
        /**
         * Use TCP (default true).
         *
         * @param on whether to listen and dial over TCP
         * @return this builder
         */
        public Builder tcp(boolean on) { this.tcp = on; return this; }
        /**
         * Use crust-udt over UDP (default true).
         *
         * @param on whether to listen and dial over crust-udt
         * @return this builder
         */
        public Builder udp(boolean on) { this.udp = on; return this; }
        /**
         * Ask the router for port mappings (default false: it talks to the gateway), and, where this host has a
         * global IPv6 address, for pinholes in the router's IPv6 firewall to the same ports.
         *
         * @param on whether to map the listen ports on the gateway
         * @return this builder
         */
        public Builder portMapping(boolean on) { this.portMapping = on; return this; }
        /**
         * Announce and listen on the LAN beacon (default false: it sends multicast and broadcast).
         *
         * @param on whether to use the LAN beacon
         * @return this builder
         */
        public Builder lanBeacon(boolean on) { this.lanBeacon = on; return this; }
        /**
         * LAN beacon UDP port (default 5484).
         *
         * @param port 0 to 65535; every node of one LAN must use the same
         * @return this builder
         * @throws IllegalArgumentException if port is out of range
         */
        public Builder lanPort(int port) { this.lanPort = port(port); return this; }
        /**
         * Relay traffic for other peers (default false).
         *
         * @param on whether to serve relay circuits
         * @return this builder
         */
        public Builder relay(boolean on) { this.relay = on; return this; }
        /**
         * Most relay circuits at once (default 16).
         *
         * @param n a positive number of circuits
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder relayMaxCircuits(int n) { this.relayMaxCircuits = positive(n, "relayMaxCircuits"); return this; }
        /**
         * Most bytes per relay circuit (default 64 MiB).
         *
         * @param bytes a positive number of bytes
         * @return this builder
         * @throws IllegalArgumentException if bytes is not positive
         */
        public Builder relayMaxBytesPerCircuit(long bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("relayMaxBytesPerCircuit must be positive");
            this.relayMaxBytesPerCircuit = bytes;
            return this;
        }
        /**
         * Heartbeat interval (default 2 s).
         *
         * @param d a positive duration, shorter than the heartbeat timeout
         * @return this builder
         * @throws IllegalArgumentException if d is null, zero or negative
         */
        public Builder heartbeatInterval(Duration d) { this.heartbeatInterval = positive(d, "heartbeatInterval"); return this; }
        /**
         * Silence after which a peer is lost (default 8 s).
         *
         * @param d a positive duration, longer than the heartbeat interval
         * @return this builder
         * @throws IllegalArgumentException if d is null, zero or negative
         */
        public Builder heartbeatTimeout(Duration d) { this.heartbeatTimeout = positive(d, "heartbeatTimeout"); return this; }
        /**
         * Handshake time limit (default 10 s).
         *
         * @param d a positive duration
         * @return this builder
         * @throws IllegalArgumentException if d is null, zero or negative
         */
        public Builder handshakeTimeout(Duration d) { this.handshakeTimeout = positive(d, "handshakeTimeout"); return this; }
        /**
         * Overall bootstrap time limit (default 20 s).
         *
         * @param d a positive duration
         * @return this builder
         * @throws IllegalArgumentException if d is null, zero or negative
         */
        public Builder bootstrapTimeout(Duration d) { this.bootstrapTimeout = positive(d, "bootstrapTimeout"); return this; }
        /**
         * Bootstrap candidates dialled at once (default 8).
         *
         * @param n a positive number of dials
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder bootstrapFanOut(int n) { this.bootstrapFanOut = positive(n, "bootstrapFanOut"); return this; }
        /**
         * Most connections (default 256).
         *
         * @param n a positive number of connections
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder maxConnections(int n) { this.maxConnections = positive(n, "maxConnections"); return this; }
        /**
         * Most inbound handshakes in progress (default 64).
         *
         * @param n a positive number of handshakes
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder maxPendingHandshakes(int n) { this.maxPendingHandshakes = positive(n, "maxPendingHandshakes"); return this; }
        /**
         * Most inbound handshakes in progress from one source address (default 16): one host that
         * connects and sends nothing cannot hold every slot for the handshake timeout.
         *
         * @param n a positive number of handshakes
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder maxPendingHandshakesPerAddress(int n) {
            this.maxPendingHandshakesPerAddress = positive(n, "maxPendingHandshakesPerAddress");
            return this;
        }
        /**
         * Most inbound handshakes in progress from one /24 (IPv4) or /48 (IPv6) prefix (default 32):
         * the addresses of one network, or one customer's IPv6 block, cannot hold every slot.
         *
         * @param n a positive number of handshakes
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder maxPendingHandshakesPerPrefix(int n) {
            this.maxPendingHandshakesPerPrefix = positive(n, "maxPendingHandshakesPerPrefix");
            return this;
        }
        /**
         * Most connections dialled by remote hosts from one source address (default 32). Connections
         * this node dialled do not count.
         *
         * @param n a positive number of connections
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder maxConnectionsPerAddress(int n) {
            this.maxConnectionsPerAddress = positive(n, "maxConnectionsPerAddress");
            return this;
        }
        /**
         * Most connections dialled by remote hosts from one /24 (IPv4) or /48 (IPv6) prefix
         * (default 64). Connections this node dialled do not count.
         *
         * @param n a positive number of connections
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder maxConnectionsPerPrefix(int n) {
            this.maxConnectionsPerPrefix = positive(n, "maxConnectionsPerPrefix");
            return this;
        }
        /**
         * Largest message in bytes (default 1 MiB, at most 16 MiB).
         *
         * @param n 1 to 16,777,216 bytes
         * @return this builder
         * @throws IllegalArgumentException if n is out of range
         */
        public Builder maxMessageBytes(int n) {
            if (n <= 0 || n > 16 * 1024 * 1024) throw new IllegalArgumentException("maxMessageBytes must be in 1..16 MiB");
            this.maxMessageBytes = n;
            return this;
        }
        /**
         * Most messages per second from one peer (default 10,000).
         *
         * @param n a positive rate
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder messagesPerSecondPerPeer(int n) { this.messagesPerSecondPerPeer = positive(n, "messagesPerSecondPerPeer"); return this; }
        /**
         * Send queue capacity per priority (default 256 messages).
         *
         * @param n a positive number of messages
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder sendQueueMessages(int n) { this.sendQueueMessages = positive(n, "sendQueueMessages"); return this; }
        /**
         * Age after which a queued LOW message is dropped (default 5 s).
         *
         * @param d a positive duration
         * @return this builder
         * @throws IllegalArgumentException if d is null, zero or negative
         */
        public Builder lowPriorityMaxAge(Duration d) { this.lowPriorityMaxAge = positive(d, "lowPriorityMaxAge"); return this; }
        /**
         * How long a peer whose connection broke (it failed or fell silent; not a goodbye) stays open
         * while the side that dialled it dials again and both continue where they were, no message lost
         * or repeated (default 5 s). Meanwhile {@code Peer.isOpen()} stays true and sends wait; after
         * it, {@code PeerLost} is reported as without resumption.
         *
         * @param d zero (the named opt-out: {@code PeerLost} at once) or a positive duration
         * @return this builder
         * @throws IllegalArgumentException if d is null or negative
         */
        public Builder resumeWindow(Duration d) {
            if (d == null || d.isNegative()) throw new IllegalArgumentException("resumeWindow must be zero or positive");
            this.resumeWindow = d;
            return this;
        }
        /**
         * Event queue capacity (default 4096).
         *
         * @param n a positive number of events
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder eventQueueCapacity(int n) { this.eventQueueCapacity = positive(n, "eventQueueCapacity"); return this; }
        /**
         * Where received messages go (default {@link MessageDelivery#EVENTS}): every message to exactly
         * one of the node's events or the sending peer's inbox for {@link Peer#receive}.
         *
         * @param delivery the delivery mode, not null
         * @return this builder
         */
        public Builder messageDelivery(MessageDelivery delivery) { this.messageDelivery = Objects.requireNonNull(delivery); return this; }
        /**
         * Messages each peer's inbox holds with {@link MessageDelivery#PER_PEER} before that peer's
         * connection stops being read (default 256).
         *
         * @param n a positive number of messages
         * @return this builder
         * @throws IllegalArgumentException if n is not positive
         */
        public Builder peerInboxMessages(int n) { this.peerInboxMessages = positive(n, "peerInboxMessages"); return this; }
        /**
         * Peers to keep connected (default none).
         *
         * @param peers the peers' ids; copied
         * @return this builder
         */
        public Builder targetPeers(Set<PeerId> peers) { this.targetPeers = Set.copyOf(peers); return this; }
        /**
         * Number of peers to keep connected (default 0: no target).
         *
         * @param n 0 or more peers
         * @return this builder
         * @throws IllegalArgumentException if n is negative
         */
        public Builder targetPeerCount(int n) {
            if (n < 0) throw new IllegalArgumentException("targetPeerCount must not be negative");
            this.targetPeerCount = n;
            return this;
        }
        /**
         * TEST-ONLY opt-out: never dial or accept direct paths for {@code connect(PeerId)}, so that the
         * relay fallback is exercised on loopback. Never use it in production.
         *
         * @return this builder
         */
        public Builder disableDirectPathsForTesting() { this.directPathsDisabledForTesting = true; return this; }
        /**
         * TEST-ONLY: when this node relays, it hands {@code tap} every RELAY_DATA frame it forwards,
         * exactly the bytes it sees, so a test can check that they are ciphertext. Called on the
         * forwarding thread; never use it in production.
         *
         * @param tap receives each forwarded frame's bytes, or null for none
         * @return this builder
         */
        public Builder relayTapForTesting(Consumer<byte[]> tap) { this.relayTapForTesting = tap; return this; }

        /**
         * Checks the settings against each other and builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException if neither TCP nor UDP is on, or the heartbeat timeout is not longer
         *                                  than the heartbeat interval
         */
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
