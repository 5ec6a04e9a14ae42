package io.crust.core;

import io.crust.core.service.Node;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A running Crust node: listeners, bootstrap, gossip, heartbeats and the peer connections, all on
 * virtual threads owned by this object and stopped by {@link #close()}.
 *
 * <pre>{@code
 * CrustConfig config = CrustConfig.builder()
 *         .dataDir(Path.of("crust-data"))
 *         .contacts(List.of(new InetSocketAddress("198.51.100.7", 5483)))
 *         .build();
 * try (CrustNode node = CrustNode.start(config)) {
 *     while (true) {
 *         switch (node.events().take()) {
 *             case CrustEvent.PeerConnected c -> c.peer().send("hello".getBytes(UTF_8));
 *             case CrustEvent.MessageReceived m -> System.out.println(new String(m.message(), UTF_8));
 *             default -> { }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>All methods are safe to call from any thread. Blocking calls take a {@link Duration} timeout and
 * follow one convention throughout crust-core: they return what they waited for, or throw
 * {@link CrustTimeoutException} when the time is up; they never return {@code null}, {@code false} or an
 * empty {@code Optional} for a timeout. Other failures are typed too: {@link ConnectFailedException}
 * with a {@link ConnectFailedException.Reason}, {@link HandshakeException} with its reason, and
 * {@link CrustEvent.PeerLost} with a {@link CrustEvent.PeerLost.Reason}. ({@code Optional} results, as
 * in {@link #peer(PeerId)}, mean "not there now", never "ran out of time".)
 */
public final class CrustNode implements AutoCloseable {
    private final Node node;

    private CrustNode(Node node) {
        this.node = node;
    }

    /**
     * Loads or creates the identity in {@link CrustConfig#dataDir()} (or, without one, makes a fresh
     * identity in memory), starts the listeners and begins
     * bootstrap in the background (its outcome arrives as {@link CrustEvent.BootstrapFinished} or
     * {@link CrustEvent.BootstrapFailed}).
     *
     * @param config the node's settings
     * @return the running node; close it to stop everything it started
     * @throws CrustException if the data directory is unusable or no enabled listener could start;
     *     the message names the address and the cause
     */
    public static CrustNode start(CrustConfig config) throws CrustException {
        return new CrustNode(Node.start(config));
    }

    /** {@return this node's peer id: its identity's Ed25519 public key} */
    public PeerId id() {
        return node.id();
    }

    /**
     * {@return an address other programs can dial to reach the TCP listener} Empty unless TCP is on and listening. The
     * bound address, or, when bound to all interfaces (the default), one of this host's interface
     * addresses, IPv4 first, with the bound port; never the wildcard {@code 0.0.0.0}. Every candidate
     * is in {@link #connectionInfo()}.
     */
    public Optional<InetSocketAddress> tcpAddress() {
        return node.tcpAddress();
    }

    /**
     * {@return an address other programs can dial to reach the UDP (crust-udt) listener} Empty unless UDP is on and
     * listening; chosen as for {@link #tcpAddress()}, never the wildcard.
     */
    public Optional<InetSocketAddress> udpAddress() {
        return node.udpAddress();
    }

    /**
     * {@return our addresses as the outside sees them} They are reflexive addresses that connected peers observed, and
     * port mappings made on the router. Empty until a peer or mapping told us.
     */
    public List<InetSocketAddress> externalAddresses() {
        return node.externalAddresses();
    }

    /** {@return our peer id and every address candidate, to hand to another node out of band} */
    public ConnectionInfo connectionInfo() {
        return node.connectionInfo();
    }

    /** {@return the in-order event stream; the same object on every call} */
    public CrustEvents events() {
        return node.events();
    }

    /**
     * Connects to a peer by id. If already connected, returns that peer. Otherwise asks a mutually
     * connected peer to pass our {@link ConnectionInfo} to it (a rendezvous), races a direct TCP dial,
     * TCP simultaneous open and UDP hole punching from both ends, and falls back to a relay through a
     * connected peer that allows relaying.
     *
     * @param id      the peer to reach
     * @param timeout how long every path together may take
     * @return the connected peer
     * @throws CrustTimeoutException if no path was found within {@code timeout}, saying what was tried
     * @throws ConnectFailedException if every path failed before that; its reason says why
     */
    public Peer connect(PeerId id, Duration timeout) throws ConnectFailedException, CrustTimeoutException {
        return node.connect(id, timeout);
    }

    /**
     * Dials an address: TCP first, then crust-udt. The peer id is whatever the remote side proves.
     *
     * @param address the remote node's listen address
     * @param timeout how long dialling and the handshake may take
     * @return the connected peer
     * @throws CrustTimeoutException if nothing answered within {@code timeout}
     * @throws ConnectFailedException if the address is banned, refused or unreachable, or the handshake
     *     failed; its reason says which
     */
    public Peer connect(InetSocketAddress address, Duration timeout) throws ConnectFailedException, CrustTimeoutException {
        return node.connect(address, timeout);
    }

    /**
     * Dials the candidates of an info obtained out of band; the handshake must prove {@code info.id()}.
     *
     * @param info    the remote node's id and address candidates
     * @param timeout how long dialling and the handshake may take
     * @return the connected peer
     * @throws CrustTimeoutException if no candidate answered within {@code timeout}
     * @throws ConnectFailedException if every candidate failed before that (for example another
     *     identity answered: {@link ConnectFailedException.Reason#HANDSHAKE_FAILED})
     */
    public Peer connect(ConnectionInfo info, Duration timeout) throws ConnectFailedException, CrustTimeoutException {
        return node.connect(info, timeout);
    }

    /** {@return the peers connected now, a snapshot} */
    public List<Peer> peers() {
        return node.peers();
    }

    /**
     * Looks a connected peer up without waiting.
     *
     * @param id the peer's id
     * @return the connected peer with this id; empty when it is not connected now
     */
    public Optional<Peer> peer(PeerId id) {
        return node.peer(id);
    }

    /**
     * Waits until the peer with this id is connected (dialled by either side) and returns it: for
     * example the side that was dialled, once it knows who dials.
     *
     * @param id      the peer's id
     * @param timeout how long to wait
     * @return the connected peer
     * @throws CrustTimeoutException if it is not connected within {@code timeout}
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public Peer awaitPeer(PeerId id, Duration timeout) throws CrustTimeoutException, InterruptedException {
        return node.awaitPeer(id, timeout);
    }

    /** {@return the peers known from gossip and the bootstrap cache, connected or not} */
    public Set<PeerId> knownPeers() {
        return node.knownPeers();
    }

    /**
     * Closes the connection to a peer, if any (no {@link CrustEvent.PeerLost} event).
     *
     * @param id the peer's id
     */
    public void drop(PeerId id) {
        node.drop(id);
    }

    /**
     * Adds a blacklist rule: matching connections are closed at once (with {@link CrustEvent.PeerLost}
     * "banned") and refused from now on, by id after the handshake and by address before it.
     *
     * @param rule the peer id, address or prefix to refuse
     */
    public void ban(BanRule rule) {
        node.ban(rule);
    }

    /**
     * Removes a blacklist rule added earlier; connections it closed stay closed.
     *
     * @param rule a rule equal to the one added
     */
    public void unban(BanRule rule) {
        node.unban(rule);
    }

    /** Stops every listener, connection, thread and port mapping of this node; idempotent. */
    @Override
    public void close() {
        node.close();
    }

    @Override
    public String toString() {
        return "CrustNode[" + id().shortForm() + "]";
    }
}
