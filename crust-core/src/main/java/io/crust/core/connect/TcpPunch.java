package io.crust.core.connect;

import io.crust.core.jfr.PunchAttemptEvent;
import io.crust.core.ConnectionInfo;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.peer.PeerHandle;
import io.crust.nat.TcpSimultaneousOpen;
import io.crust.nat.log.RateLimitedLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP hole punching by simultaneous open (crust-nat's {@link TcpSimultaneousOpen}, RFC 5382 section
 * 2.2) between two peers that met through a rendezvous.
 *
 * <p>Each side picks a fresh local port and sends its number in CONNECT_INFO; then each connects, again
 * and again for a bounded window, from that port to the other's public address and port, while a
 * listener on the same port takes a SYN that arrives between two attempts. The SYNs open both NATs and
 * the kernels join them into one connection. The public address is taken from the peer's reflexive or
 * mapped candidates, so this works where the NAT maps TCP endpoint-independently and keeps the port
 * (the common Linux masquerade behaviour); elsewhere it fails within the window and UDP punching or a
 * relay carries the connection.
 *
 * <p>The port is not the node's listening port: a SYN landing on the node's listener would start a
 * handshake in the responder role on both sides. Here both sides get the same socket from their own
 * attempt, and the roles follow the peer ids (smaller id initiates), as after UDP punching.
 */
public final class TcpPunch {
    private static final Logger LOG = LoggerFactory.getLogger(TcpPunch.class);
    /** Peers can ask this node to punch (through a rendezvous) as often as they like. */
    private static final RateLimitedLog punchedLog = new RateLimitedLog(LOG);

    /** The node's TCP side, as TCP punching needs it. */
    public interface Tcp {
        /** The address the node binds its sockets to (the wildcard address normally). */
        InetAddress bindAddress();

        /** True if the node can send from a global unicast IPv6 address (2000::/3) of its own. */
        boolean hasGlobalIpv6();

        /** Runs the handshake over a punched socket (roles by peer id order) and registers the connection. */
        PeerHandle over(Socket socket, PeerId peer, InetSocketAddress remote) throws CrustException;
    }

    private final Tcp tcp;
    private final int port;

    private TcpPunch(Tcp tcp, int port) {
        this.tcp = tcp;
        this.port = port;
    }

    /** Picks a free local port for one attempt; empty if none could be bound. */
    public static Optional<TcpPunch> reserve(Tcp tcp) {
        try (ServerSocket probe = new ServerSocket(0, 1, tcp.bindAddress())) {
            return Optional.of(new TcpPunch(tcp, probe.getLocalPort()));
        } catch (IOException e) {
            LOG.debug("no port for TCP punching: {}", e.toString());
            return Optional.empty();
        }
    }

    /** The local port the peer should aim at (through our NAT, which is expected to keep it). */
    public int port() {
        return port;
    }

    /**
     * Punches towards {@code theirPort} on each public address in the peer's info, one after the other,
     * within {@code timeout} in all.
     */
    public PeerHandle punch(ConnectionInfo theirs, int theirPort, PeerId peer, Duration timeout) throws CrustException {
        List<InetAddress> publicIps = publicAddresses(theirs, tcp.hasGlobalIpv6());
        if (publicIps.isEmpty()) {
            throw new CrustException("no public address of " + peer.shortForm() + " to punch TCP towards");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < publicIps.size(); i++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            InetSocketAddress remote = new InetSocketAddress(publicIps.get(i), theirPort);
            PunchAttemptEvent attempt = new PunchAttemptEvent();
            attempt.begin();
            Socket socket;
            try {
                // What is left, shared evenly among the addresses still to try.
                socket = TcpSimultaneousOpen.connect(new InetSocketAddress(tcp.bindAddress(), port), remote,
                        Duration.ofNanos(left / (publicIps.size() - i)));
            } catch (IOException e) {
                record(attempt, peer, remote, false, e.getMessage());
                failures.add(remote + ": " + e.getMessage());
                continue;
            }
            record(attempt, peer, remote, true, "from port " + port);
            punchedLog.info("punched a TCP path to {} at {} from port {}", peer.shortForm(), remote, port);
            return tcp.over(socket, peer, remote);
        }
        throw new CrustException("TCP punching to " + peer.shortForm() + " failed: " + String.join("; ", failures));
    }

    private static void record(PunchAttemptEvent attempt, PeerId peer, InetSocketAddress remote, boolean connected,
            String detail) {
        attempt.end();
        if (attempt.shouldCommit()) {
            attempt.peer = peer.toString();
            attempt.protocol = "tcp";
            attempt.remoteAddress = remote.toString();
            attempt.connected = connected;
            attempt.detail = detail;
            attempt.commit();
        }
    }

    /** Reflexive and mapped addresses (TCP or UDP) of the peer, each IP once, at most four. */
    /**
     * Where to punch: the peer's global IPv6 host addresses first, if we have one of our own (no
     * translation on IPv6: a home router's stateful firewall lets in a SYN from an address its host
     * sent a SYN to, as RFC 6092 recommends for TCP), then its reflexive and mapped IPv4 addresses. Both ends
     * list each other's addresses the same way, so their attempts meet at the same family.
     */
    static List<InetAddress> publicAddresses(ConnectionInfo info, boolean weHaveGlobalIpv6) {
        List<InetAddress> targets = new ArrayList<>();
        if (weHaveGlobalIpv6) {
            info.ipsOf(Set.of(PeerRecord.Kind.HOST)).stream().filter(TcpPunch::isGlobalIpv6).limit(2).forEach(targets::add);
        }
        info.ipsOf(Set.of(PeerRecord.Kind.REFLEXIVE, PeerRecord.Kind.MAPPED)).stream().limit(4).forEach(targets::add);
        return targets;
    }

    /** A global unicast IPv6 address: 2000::/3 (RFC 4291 section 2.4). */
    public static boolean isGlobalIpv6(InetAddress ip) {
        return ip instanceof java.net.Inet6Address && (ip.getAddress()[0] & 0xE0) == 0x20;
    }
}
