package io.crust.core.service;

import io.crust.core.ConnectFailedException;
import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.frame.TcpFrameTransport;
import io.crust.core.frame.UdtFrameTransport;
import io.crust.core.peer.PeerHandle;
import io.crust.nat.QueuedDatagramPort;
import io.crust.nat.StunClient;
import io.crust.nat.StunServer;
import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side of the node: one crust-udt endpoint whose socket also answers STUN (so every peer is a
 * STUN server for the others) and carries hole-punching checks. STUN datagrams are handed to every open
 * {@link QueuedDatagramPort} (punch sessions, our own STUN queries); plain Binding requests without
 * USERNAME are answered at once with {@link StunServer#respond}. Punching checks carry USERNAME
 * (RFC 8445 section 7.2.2) and are left to the punch session they belong to.
 *
 * <p>Threads: crust-udt's receive loop (owned by the endpoint) answers STUN and feeds the ports;
 * {@code crust-udt-accept-PORT} (owned by the node) hands accepted connections to the handshakes; dials
 * and rendezvous run on their callers' threads.
 */
final class UdtSide {
    private static final Logger LOG = LoggerFactory.getLogger(UdtSide.class);
    private static final int STUN_HEADER_BYTES = 20;
    private static final int STUN_USERNAME = 0x0006;

    private final PeerId self;
    private final Handshakes handshakes;
    private final Addresses addresses;
    private final Blacklist blacklist;
    private final EventQueue events;
    private final ThreadOwner threads;
    private final BooleanSupplier nodeClosed;
    private final Set<QueuedDatagramPort> ports = new CopyOnWriteArraySet<>();
    private volatile UdtEndpoint endpoint;

    UdtSide(PeerId self, Handshakes handshakes, Addresses addresses, Blacklist blacklist,
            EventQueue events, ThreadOwner threads, BooleanSupplier nodeClosed) {
        this.self = self;
        this.handshakes = handshakes;
        this.addresses = addresses;
        this.blacklist = blacklist;
        this.events = events;
        this.threads = threads;
        this.nodeClosed = nodeClosed;
    }

    /** Binds {@code wanted} and starts accepting. */
    void start(InetSocketAddress wanted) throws CrustException {
        try {
            endpoint = UdtEndpoint.bind(wanted, udtConfig());
        } catch (IOException e) {
            throw new CrustException("cannot bind UDP " + wanted + ": " + e.getMessage(), e);
        }
        endpoint.setForeignDatagramHandler(this::onForeign);
        InetSocketAddress bound = endpoint.localAddress();
        addresses.udpBound(bound);
        threads.start("crust-udt-accept-" + bound.getPort(), this::acceptLoop);
        events.putUninterruptibly(new CrustEvent.ListenerStarted(Transport.UDT, LocalAddresses.connectable(bound)));
        LOG.info("{} listening on UDP {}", self.shortForm(), bound);
    }

    private static UdtConfig udtConfig() {
        return UdtConfig.builder().maxMessageBytes(TcpFrameTransport.MAX_FRAME_BYTES).build();
    }

    private static void closeQuietly(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {} failed: {}", channel, e.toString());
        }
    }

    boolean isRunning() {
        return endpoint != null && !nodeClosed.getAsBoolean();
    }

    private void acceptLoop() {
        UdtEndpoint e = endpoint;
        while (!nodeClosed.getAsBoolean()) {
            try {
                handshakes.acceptUdt(e.accept(Duration.ofSeconds(1)));
            } catch (SocketTimeoutException timeout) {
                // look at the closed flag again
            } catch (IOException failure) {
                if (!nodeClosed.getAsBoolean()) {
                    LOG.warn("crust-udt accept failed: {}", failure.toString());
                    events.putUninterruptibly(new CrustEvent.ListenerFailed(Transport.UDT, e.localAddress(), failure.getMessage()));
                }
                return;
            }
        }
    }

    /** Dials a crust-udt listener and runs the initiator handshake. */
    PeerHandle dial(InetSocketAddress address, PeerId expected, Route route, Duration timeout) throws CrustException {
        return dial(address, expected, route, timeout, () -> { });
    }

    /** {@link #dial}, calling {@code connected} once crust-udt is up, before the handshake. */
    PeerHandle dial(InetSocketAddress address, PeerId expected, Route route, Duration timeout, Runnable connected)
            throws CrustException {
        UdtEndpoint e = requireRunning();
        if (blacklist.bans(address.getAddress())) {
            throw new ConnectFailedException(ConnectFailedException.Reason.BANNED, "address " + address + " is banned");
        }
        UdtConnection connection;
        try {
            connection = e.connect(address, timeout);
        } catch (IOException failure) {
            throw new CrustException("cannot reach " + address + " over crust-udt: " + failure.getMessage(), failure);
        }
        connected.run();
        return handshakes.initiate(new UdtFrameTransport(connection), expected, route, Transport.UDT, address);
    }

    /**
     * After hole punching: both sides open a crust-udt connection towards each other; the smaller peer
     * id runs the Noise initiator, the other the responder.
     */
    PeerHandle rendezvous(InetSocketAddress remote, PeerId peer, Duration timeout) throws CrustException {
        UdtEndpoint e = requireRunning();
        UdtConnection connection;
        try {
            connection = e.rendezvous(remote, timeout);
        } catch (IOException failure) {
            throw new CrustException("crust-udt rendezvous with " + remote + " failed: " + failure.getMessage(), failure);
        }
        return handshakes.overPunched(new UdtFrameTransport(connection), peer, Transport.UDT, remote);
    }

    /**
     * {@link #rendezvous} over a socket of its own (kept from birthday punching): a crust-udt endpoint on
     * {@code channel} for this one connection, closed when the connection closes.
     */
    PeerHandle rendezvousOwnSocket(DatagramChannel channel, InetSocketAddress remote, PeerId peer, Duration timeout)
            throws CrustException {
        requireRunning();
        UdtEndpoint own;
        try {
            own = UdtEndpoint.open(channel, udtConfig());
        } catch (IOException failure) {
            closeQuietly(channel);
            throw new CrustException("cannot run crust-udt on the punched socket: " + failure.getMessage(), failure);
        }
        UdtConnection connection;
        try {
            connection = own.rendezvous(remote, timeout);
        } catch (IOException failure) {
            own.close();
            throw new CrustException("crust-udt rendezvous with " + remote + " from " + own.localAddress() + " failed: "
                    + failure.getMessage(), failure);
        }
        LOG.info("crust-udt to {} runs on its own socket {} (birthday port)", peer.shortForm(), own.localAddress());
        return handshakes.overPunched(UdtFrameTransport.owningEndpoint(connection, own), peer, Transport.UDT, remote);
    }

    /** A datagram port on our UDP socket for a punch session or a STUN query; close it with {@link #closePort}. */
    QueuedDatagramPort openPort() throws CrustException {
        UdtEndpoint e = requireRunning();
        QueuedDatagramPort port = new QueuedDatagramPort(e.localAddress(), e::sendRaw);
        ports.add(port);
        return port;
    }

    void closePort(QueuedDatagramPort port) {
        ports.remove(port);
        port.close();
    }

    /** Asks a peer's UDP socket how it sees ours (STUN Binding): our reflexive UDP address, if any. */
    void learnReflexiveFrom(InetSocketAddress peerUdp) {
        QueuedDatagramPort port;
        try {
            port = openPort();
        } catch (CrustException e) {
            return;
        }
        try {
            StunClient.Binding binding = new StunClient(port).binding(peerUdp, Duration.ofSeconds(3));
            addresses.observed(Transport.UDT, binding.mapped());
        } catch (IOException e) {
            LOG.debug("STUN binding to {} failed: {}", peerUdp, e.toString());
        } finally {
            closePort(port);
        }
    }

    private void onForeign(ByteBuffer datagram, InetSocketAddress from) {
        if (!StunServer.isStun(datagram)) {
            return;
        }
        if (blacklist.bans(from.getAddress())) {
            return;
        }
        if (!hasUsername(datagram)) {
            StunServer.respond(datagram, from).ifPresent(reply -> {
                try {
                    endpoint.sendRaw(reply, from);
                } catch (IOException e) {
                    LOG.debug("STUN answer to {} failed: {}", from, e.toString());
                }
            });
        }
        for (QueuedDatagramPort port : ports) {
            port.offer(datagram, from);
        }
    }

    /** True if the STUN message carries a USERNAME attribute (a punching check, not a plain query). */
    static boolean hasUsername(ByteBuffer datagram) {
        int position = datagram.position() + STUN_HEADER_BYTES;
        int limit = datagram.limit();
        while (position + 4 <= limit) {
            int type = datagram.getShort(position) & 0xffff;
            int length = datagram.getShort(position + 2) & 0xffff;
            if (type == STUN_USERNAME) {
                return true;
            }
            position += 4 + ((length + 3) & ~3);
        }
        return false;
    }

    private UdtEndpoint requireRunning() throws CrustException {
        UdtEndpoint e = endpoint;
        if (e == null) {
            throw new CrustException("crust-udt is not running on this node");
        }
        return e;
    }

    void close() {
        for (QueuedDatagramPort port : ports) {
            port.close();
        }
        UdtEndpoint e = endpoint;
        if (e != null) {
            e.close();
        }
    }
}
