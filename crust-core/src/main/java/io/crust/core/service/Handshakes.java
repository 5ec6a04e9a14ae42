package io.crust.core.service;

import io.crust.core.ConnectFailedException;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustException;
import io.crust.core.HandshakeException;
import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.connect.Rendezvous;
import io.crust.core.frame.FrameTransport;
import io.crust.core.frame.TcpFrameTransport;
import io.crust.core.frame.UdtFrameTransport;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import io.crust.core.peer.PeerHandle;
import io.crust.nat.log.RateLimitedLog;
import io.crust.udt.UdtConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs secure-channel handshakes: inbound ones on their own virtual thread ({@code crust-handshake-N},
 * at most {@code maxPendingHandshakes} at once, each bounded by the handshake timeout), outbound ones
 * on the caller's thread. Addresses are checked against the blacklist before any byte is exchanged.
 */
final class Handshakes {
    private static final Logger LOG = LoggerFactory.getLogger(Handshakes.class);
    /** Any host can have its handshakes refused as often as it likes. */
    private static final RateLimitedLog refusedLog = new RateLimitedLog(LOG);
    private static final AtomicLong SERIAL = new AtomicLong();

    /** Turns an authenticated channel into a registered connection. */
    interface Registrar {
        PeerHandle register(SecureChannel channel, PeerId initiator, Route route, Transport transport,
                InetSocketAddress remoteAddress) throws CrustException;
    }

    private final Identity identity;
    private final HandshakeParams params;
    private final Blacklist blacklist;
    private final PeerTable table;
    private final EventQueue events;
    private final PendingHandshakes pending;
    private final Registrar registrar;
    private final ThreadOwner threads;
    private final DialGuard dialGuard;

    Handshakes(Identity identity, HandshakeParams params, Blacklist blacklist, PeerTable table, EventQueue events,
            int maxPendingHandshakes, int maxPendingHandshakesPerAddress, int maxPendingHandshakesPerPrefix,
            Registrar registrar, ThreadOwner threads) {
        this.identity = identity;
        this.params = params;
        this.blacklist = blacklist;
        this.table = table;
        this.events = events;
        this.pending = new PendingHandshakes(maxPendingHandshakes, maxPendingHandshakesPerAddress,
                maxPendingHandshakesPerPrefix);
        this.registrar = registrar;
        this.threads = threads;
        this.dialGuard = new DialGuard(identity.peerId(), table);
    }

    /** Called by the TCP accept loop: checks limits and starts the responder handshake. */
    void acceptTcp(Socket socket) {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        if (!admit(remote)) {
            closeQuietly(socket);
            return;
        }
        Runnable handshake = () -> {
            try {
                socket.setTcpNoDelay(true);
                respond(new TcpFrameTransport(socket, TcpFrameTransport.MAX_FRAME_BYTES), Transport.TCP, remote, Route.BOOTSTRAP_IN);
            } catch (IOException e) {
                LOG.debug("inbound TCP from {} failed: {}", remote, e.toString());
                closeQuietly(socket);
            } finally {
                pending.release(remote.getAddress());
            }
        };
        if (!threads.start("crust-handshake-" + SERIAL.incrementAndGet(), handshake)) {
            pending.release(remote.getAddress());
            closeQuietly(socket);
        }
    }

    /** Called by the crust-udt accept loop: checks limits and starts the responder handshake. */
    void acceptUdt(UdtConnection connection) {
        InetSocketAddress remote = connection.remoteAddress();
        if (!admit(remote)) {
            connection.abort();
            return;
        }
        Runnable handshake = () -> {
            try {
                respond(new UdtFrameTransport(connection), Transport.UDT, remote, Route.BOOTSTRAP_IN);
            } finally {
                pending.release(remote.getAddress());
            }
        };
        if (!threads.start("crust-handshake-" + SERIAL.incrementAndGet(), handshake)) {
            pending.release(remote.getAddress());
            connection.abort();
        }
    }

    /**
     * Admission before a handshake: not banned, under the connection limit, a pending-handshake slot
     * free in all and for this source address (taken here; the caller releases it).
     */
    boolean admit(InetSocketAddress remote) {
        if (blacklist.bans(remote.getAddress())) {
            LOG.debug("refused banned address {}", remote);
            return false;
        }
        String noRoom = switch (table.roomForInbound(remote.getAddress())) {
            case YES -> null;
            case FULL -> "connection limit reached";
            case ADDRESS -> "too many connections from " + remote.getAddress().getHostAddress();
            case PREFIX -> "too many connections from " + remote.getAddress().getHostAddress() + "'s network";
        };
        if (noRoom != null) {
            events.offer(new Misbehaviour(null, remote, Misbehaviour.Kind.LIMIT_EXCEEDED, noRoom));
            return false;
        }
        switch (pending.acquire(remote.getAddress())) {
            case TOTAL -> {
                events.offer(new Misbehaviour(null, remote, Misbehaviour.Kind.LIMIT_EXCEEDED, "too many pending handshakes"));
                return false;
            }
            case ADDRESS -> {
                events.offer(new Misbehaviour(null, remote, Misbehaviour.Kind.LIMIT_EXCEEDED,
                        "too many pending handshakes from " + remote.getAddress().getHostAddress()));
                return false;
            }
            case PREFIX -> {
                events.offer(new Misbehaviour(null, remote, Misbehaviour.Kind.LIMIT_EXCEEDED,
                        "too many pending handshakes from " + remote.getAddress().getHostAddress() + "'s network"));
                return false;
            }
            case NONE -> { }
        }
        return true;
    }

    /** Runs the responder side on the calling thread and registers the result. */
    void respond(FrameTransport transport, Transport kind, InetSocketAddress remote, Route route) {
        try {
            SecureChannel channel = SecureChannel.respond(transport, identity, params);
            registrar.register(channel, channel.remotePeer(), route, kind, remote);
        } catch (HandshakeException e) {
            reportInboundFailure(e, remote);
            closeQuietly(transport);
        } catch (IOException | RuntimeException e) {
            LOG.debug("inbound {} handshake from {} failed: {}", kind, remote, e.toString());
            closeQuietly(transport);
        }
    }

    private void reportInboundFailure(HandshakeException e, InetSocketAddress remote) {
        Misbehaviour.Kind kind = switch (e.reason()) {
            case TIMEOUT -> Misbehaviour.Kind.HANDSHAKE_TIMEOUT;
            case AUTHENTICATION_FAILED -> Misbehaviour.Kind.DECRYPTION_FAILURE;
            case PROTOCOL_VIOLATION -> Misbehaviour.Kind.PROTOCOL_VIOLATION;
            case NETWORK_MISMATCH, VERSION_MISMATCH, WRONG_PEER, CLOSED -> null;
        };
        refusedLog.info("inbound handshake from {} refused: {} ({})", remote, e.getMessage(), e.reason());
        if (kind != null) {
            events.offer(new Misbehaviour(null, remote, kind, e.getMessage()));
        }
    }

    /** {@link #overPunched} on a socket from TCP punching. */
    PeerHandle overPunchedTcp(Socket socket, PeerId peer, InetSocketAddress remote) throws CrustException {
        TcpFrameTransport transport;
        try {
            socket.setTcpNoDelay(true);
            transport = new TcpFrameTransport(socket, TcpFrameTransport.MAX_FRAME_BYTES);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new CrustException("punched TCP socket to " + remote + " failed: " + e.getMessage(), e);
        }
        return overPunched(transport, peer, Transport.TCP, remote);
    }

    /**
     * After punching (UDP or TCP) both ends hold one connection that neither dialled: the smaller peer
     * id runs the Noise initiator, the other the responder, and the connection is registered as punched.
     */
    PeerHandle overPunched(FrameTransport transport, PeerId peer, Transport kind, InetSocketAddress remote)
            throws CrustException {
        if (identity.peerId().compareTo(peer) < 0) {
            return initiate(transport, peer, Route.PUNCHED, kind, remote);
        }
        refuseIfCancelled(transport, remote);
        respond(transport, kind, remote, Route.PUNCHED);
        return table.handle(peer).orElseThrow(() -> new CrustException("punched handshake with " + peer.shortForm() + " failed"));
    }

    /**
     * Dials a TCP address and runs the initiator handshake.
     *
     * @param expected the peer that must answer, or null for any peer of the network
     */
    PeerHandle dialTcp(InetSocketAddress address, PeerId expected, Route route, Duration timeout) throws CrustException {
        return dialTcp(address, expected, route, timeout, () -> { });
    }

    /** {@link #dialTcp}, calling {@code connected} once TCP is up, before the handshake. */
    PeerHandle dialTcp(InetSocketAddress address, PeerId expected, Route route, Duration timeout, Runnable connected)
            throws CrustException {
        if (blacklist.bans(address.getAddress())) {
            throw new ConnectFailedException(ConnectFailedException.Reason.BANNED, "address " + address + " is banned");
        }
        Socket socket = new Socket();
        try {
            socket.connect(address, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            connected.run();
            socket.setTcpNoDelay(true);
            return initiate(new TcpFrameTransport(socket, TcpFrameTransport.MAX_FRAME_BYTES), expected, route, Transport.TCP, address);
        } catch (CrustException e) {
            closeQuietly(socket);
            throw e;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new CrustException("cannot reach " + address + " over TCP: " + e.getMessage(), e);
        }
    }

    /**
     * Runs the initiator handshake over an open transport and registers the result. Towards a known
     * peer, one such handshake of a kind at a time, and none if a connection of that kind we dialled
     * is live: then the transport is closed unused and the peer's handle returned ({@link DialGuard}).
     */
    PeerHandle initiate(FrameTransport transport, PeerId expected, Route route, Transport kind, InetSocketAddress remote)
            throws CrustException {
        refuseIfCancelled(transport, remote);
        if (expected == null) {
            return handshakeAndRegister(transport, null, route, kind, remote);
        }
        return dialGuard.oneAtATime(expected, kind, route, params.timeout(), () -> closeQuietly(transport),
                () -> handshakeAndRegister(transport, expected, route, kind, remote));
    }

    private PeerHandle handshakeAndRegister(FrameTransport transport, PeerId expected, Route route, Transport kind,
            InetSocketAddress remote) throws CrustException {
        try {
            SecureChannel channel = SecureChannel.initiate(transport, identity, expected, params, table::resumeOfferTo);
            return registrar.register(channel, identity.peerId(), route, kind, remote);
        } catch (CrustException e) {
            closeQuietly(transport);
            throw e;
        } catch (IOException e) {
            closeQuietly(transport);
            throw new CrustException("handshake with " + remote + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Closes {@code transport} before any handshake byte when the calling thread runs a direct attempt
     * whose meeting was cancelled ({@link Rendezvous#cancelAttempts}): the peer then registers nothing
     * either, where a finished handshake would have connected it for a moment.
     */
    private static void refuseIfCancelled(FrameTransport transport, InetSocketAddress remote) throws ConnectFailedException {
        if (Rendezvous.cancelledOnThisThread()) {
            closeQuietly(transport);
            throw new ConnectFailedException(ConnectFailedException.Reason.CANCELLED,
                    "attempt towards " + remote + " cancelled: the peer was dropped or said goodbye since it began");
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.trace("close failed: {}", e.toString());
        }
    }
}
