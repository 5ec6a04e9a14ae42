package io.crust.core.connect;

import io.crust.core.jfr.PunchAttemptEvent;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.peer.PeerHandle;
import io.crust.nat.DatagramChannelPort;
import io.crust.nat.DatagramPort;
import io.crust.nat.HolePuncher;
import io.crust.nat.PunchOptions;
import io.crust.nat.NatException;
import io.crust.nat.PunchOffer;
import io.crust.nat.PunchResult;
import io.crust.nat.QueuedDatagramPort;
import io.crust.nat.log.RateLimitedLog;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP hole-punching attempt on the node's own UDP socket (crust-nat's {@link HolePuncher}, ICE-like
 * authenticated checks): gather our offer (host candidates, reflexive ones from connected peers acting
 * as STUN servers), swap offers inside CONNECT_INFO, punch, then open crust-udt over the punched path.
 * Owns a datagram port on the shared socket until {@link #close()}. On the symmetric side of a
 * symmetric/cone pair crust-nat punches from extra sockets too (birthday punching); a path found on one of
 * them becomes a crust-udt endpoint of its own on that socket, carrying just this connection.
 */
public final class HolePunch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HolePunch.class);
    /** Peers can ask this node to punch (through a rendezvous) as often as they like. */
    private static final RateLimitedLog punchedLog = new RateLimitedLog(LOG);

    /** The node's UDP side, as hole punching needs it. */
    public interface Udp {
        QueuedDatagramPort openPort() throws CrustException;

        void closePort(QueuedDatagramPort port);

        /** UDP addresses of connected peers, which answer STUN. */
        List<InetSocketAddress> stunServers();

        /** crust-udt over the punched path, then the handshake (roles by peer id order). */
        PeerHandle rendezvous(InetSocketAddress remote, PeerId peer, Duration timeout) throws CrustException;

        /**
         * The same over a socket of its own (an extra port of birthday punching): a crust-udt endpoint on
         * {@code channel} that carries this one connection and closes with it.
         */
        PeerHandle rendezvousOwnSocket(DatagramChannel channel, InetSocketAddress remote, PeerId peer, Duration timeout)
                throws CrustException;
    }

    private final Udp udp;
    private final QueuedDatagramPort port;
    private final PunchOffer offer;

    private HolePunch(Udp udp, QueuedDatagramPort port, PunchOffer offer) {
        this.udp = udp;
        this.port = port;
        this.offer = offer;
    }

    /** Gathers our offer within {@code timeout}; empty if UDP is unavailable. */
    public static Optional<HolePunch> gather(Udp udp, Duration timeout) {
        QueuedDatagramPort port;
        try {
            port = udp.openPort();
        } catch (CrustException e) {
            return Optional.empty();
        }
        try {
            List<InetSocketAddress> servers = udp.stunServers();
            PunchOffer offer = HolePuncher.gather(port, servers, List.of(), timeout);
            LOG.debug("gathered punch candidates from {} STUN servers: {}", servers.size(), offer.encode());
            return Optional.of(new HolePunch(udp, port, offer));
        } catch (IOException | RuntimeException e) {
            LOG.debug("gathering punch candidates failed: {}", e.toString());
            udp.closePort(port);
            return Optional.empty();
        }
    }

    public String offerText() {
        return offer.encode();
    }

    /** Punches towards {@code theirs} and connects crust-udt over the result. */
    public PeerHandle punch(String theirs, PeerId peer, Duration timeout) throws CrustException {
        PunchOffer other;
        try {
            other = PunchOffer.decode(theirs);
        } catch (NatException e) {
            throw new CrustException("peer " + peer.shortForm() + " sent a bad punch offer: " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        PunchAttemptEvent attempt = new PunchAttemptEvent();
        attempt.begin();
        PunchResult result;
        try {
            result = HolePuncher.punch(port, offer, other, PunchOptions.defaults().withTimeout(timeout));
        } catch (IOException e) {
            record(attempt, peer, null, false, e.toString());
            throw new CrustException("hole punching with " + peer.shortForm() + " failed: " + e.getMessage(), e);
        }
        record(attempt, peer, result.remote(), result.connected(), result.detail());
        if (!result.connected()) {
            throw new CrustException("hole punching with " + peer.shortForm() + " found no path: " + result.detail());
        }
        punchedLog.info("punched a UDP path to {} at {} ({}) in {} ms: {}", peer.shortForm(), result.remote(), result.remoteType(),
                result.elapsed().toMillis(), result.detail());
        Duration left = Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
        if (result.port() == port) {
            return udp.rendezvous(result.remote(), peer, left);
        }
        // Birthday punching found the path from one of our extra ports (we are the symmetric side);
        // crust-nat has closed the other extra sockets already. That socket becomes the connection's own.
        if (!(result.port() instanceof DatagramChannelPort extra)) {
            closeQuietly(result.port());
            throw new CrustException("hole punching with " + peer.shortForm() + " returned an unusable port " + result.port());
        }
        return udp.rendezvousOwnSocket(extra.channel(), result.remote(), peer, left);
    }

    @Override
    public void close() {
        udp.closePort(port);
    }

    private static void record(PunchAttemptEvent attempt, PeerId peer, InetSocketAddress remote, boolean connected,
            String detail) {
        attempt.end();
        if (attempt.shouldCommit()) {
            attempt.peer = peer.toString();
            attempt.protocol = "udp";
            attempt.remoteAddress = remote == null ? null : remote.toString();
            attempt.connected = connected;
            attempt.detail = detail;
            attempt.commit();
        }
    }

    private static void closeQuietly(DatagramPort port) {
        try {
            port.close();
        } catch (IOException e) {
            LOG.debug("closing {} failed: {}", port, e.toString());
        }
    }
}
