package io.crust.core.service;

import io.crust.core.ConnectionInfo;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.connect.TcpPunch;
import io.crust.core.peer.PeerConnection;
import io.crust.core.wire.WireMessage;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HELLOs: the one we send on each new connection (whether we relay, how we see the peer, our
 * connection info), and the last one each connected peer sent us, which tells whether it relays and
 * where its UDP socket answers STUN.
 *
 * <p>Threads: any; {@link #awaitAll} blocks on a {@code ReentrantLock} condition that an arriving HELLO
 * or a closed connection signals.
 */
final class Hellos {
    private static final Logger LOG = LoggerFactory.getLogger(Hellos.class);

    private final boolean relay;
    private final PeerId self;
    private final Addresses addresses;
    private final OpenConnections connections;
    private final Map<PeerId, WireMessage.Hello> received = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** @param relay whether this node relays for others (said in our HELLO) */
    Hellos(boolean relay, PeerId self, Addresses addresses, OpenConnections connections) {
        this.relay = relay;
        this.self = self;
        this.addresses = addresses;
        this.connections = connections;
    }

    /** Our HELLO on a new connection: the peer's address as we see it, unless relayed. */
    WireMessage.Hello ours(PeerConnection c) {
        boolean observable = c.route() != Route.RELAYED && c.remoteAddress() != null;
        return new WireMessage.Hello(relay, observable ? c.transport() : null,
                observable ? c.remoteAddress() : null, addresses.info(self));
    }

    void received(PeerId from, WireMessage.Hello hello) {
        received.put(from, hello);
        signal();
    }

    /** A connection closed: forget the peer's HELLO if it was its last one, and wake the waiters. */
    void closed(PeerId peer, boolean lastConnection) {
        if (lastConnection) {
            received.remove(peer);
        }
        signal();
    }

    /** Whether the peer behind this connection said it relays for others. */
    boolean relays(PeerConnection connection) {
        WireMessage.Hello hello = received.get(connection.remote());
        return hello != null && hello.relays();
    }

    /**
     * UDP addresses of directly connected peers, which answer STUN: at most two of each IP version.
     * First each peer at the address we reached it on; then, where a version still has room, a peer's
     * global address of the other version, if its HELLO names one. So a dual-stack node learns its
     * reflexive address of each version (behind NAT66 the IPv6 one is not its host address either),
     * whichever version it reached the peers by.
     */
    List<InetSocketAddress> stunServers() {
        List<InetSocketAddress> servers = new ArrayList<>();
        List<ConnectionInfo> others = new ArrayList<>();
        for (PeerConnection c : connections.all()) {
            WireMessage.Hello hello = received.get(c.remote());
            if (hello == null || c.route() == Route.RELAYED || c.remoteAddress() == null
                    || hello.info().udpAddresses().isEmpty()) {
                continue;
            }
            InetSocketAddress near = udpAddressNear(hello.info(), c.remoteAddress());
            addIfRoom(servers, near);
            others.add(hello.info());
        }
        for (ConnectionInfo info : others) {
            info.udpAddresses().stream()
                    .filter(a -> !servers.contains(a) && isGlobal(a.getAddress()))
                    .filter(a -> info.udpAddresses().stream().noneMatch(b -> servers.contains(b) && sameVersion(a, b)))
                    .findFirst()
                    .ifPresent(other -> addIfRoom(servers, other));
        }
        return servers;
    }

    private static void addIfRoom(List<InetSocketAddress> servers, InetSocketAddress server) {
        if (servers.stream().filter(s -> sameVersion(s, server)).count() < 2) {
            servers.add(server);
        }
    }

    private static boolean sameVersion(InetSocketAddress a, InetSocketAddress b) {
        return a.getAddress().getClass() == b.getAddress().getClass();
    }

    /** An address others can reach: IPv6 global unicast, or IPv4 not private, link-local or loopback. */
    private static boolean isGlobal(InetAddress ip) {
        if (ip instanceof Inet6Address) {
            return TcpPunch.isGlobalIpv6(ip);
        }
        return !ip.isSiteLocalAddress() && !ip.isLinkLocalAddress() && !ip.isLoopbackAddress()
                && !ip.isAnyLocalAddress() && !ip.isMulticastAddress();
    }

    /** The peer's UDP address on the IP we reached it at, else its first one. */
    static InetSocketAddress udpAddressNear(ConnectionInfo info, InetSocketAddress reached) {
        for (InetSocketAddress a : info.udpAddresses()) {
            if (a.getAddress().equals(reached.getAddress())) {
                return a;
            }
        }
        return info.udpAddresses().get(0);
    }

    /** Waits, at most {@code timeout}, until every direct connection has delivered its HELLO. */
    void awaitAll(Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!everyDirectConnectionSaidHello()) {
                if (remaining <= 0) {
                    LOG.debug("connect: going on without the HELLO of some peers after {} ms", timeout.toMillis());
                    return;
                }
                remaining = changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean everyDirectConnectionSaidHello() {
        return connections.all().stream().filter(c -> c.route() != Route.RELAYED).allMatch(c -> received.containsKey(c.remote()));
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
