package io.crust.core.service;

import io.crust.core.ConnectFailedException;
import io.crust.core.ConnectionInfo;
import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.connect.Race;
import io.crust.core.peer.PeerHandle;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Dials addresses over TCP and crust-udt as a {@link Race}: TCP first, crust-udt
 * {@link #TRANSPORT_STAGGER} later (or at once when everything before it failed), so a host that
 * silently drops TCP costs the stagger, not the timeout. A peer's addresses of both IP versions are
 * tried alternately, IPv6 first when this host has a global IPv6 address (RFC 8305 section 4:
 * "the client SHOULD modify the ordered list to interleave address families"), so a broken IPv6
 * path costs one stagger too.
 *
 * <p>Threads: the caller's, blocked until the race ends; each attempt runs on the race's own thread.
 */
final class Dialer {
    /** How long a TCP dial runs alone before crust-udt joins the race (RFC 8305's Connection Attempt Delay). */
    static final Duration TRANSPORT_STAGGER = Duration.ofMillis(250);

    private final boolean tcp;
    private final boolean udp;
    private final Duration handshakeTimeout;
    private final Handshakes handshakes;
    private final UdtSide udt;
    private final PeerTable table;
    private final BooleanSupplier preferIpv6;

    Dialer(CrustConfig config, Handshakes handshakes, UdtSide udt, PeerTable table, BooleanSupplier preferIpv6) {
        this.tcp = config.tcp();
        this.udp = config.udp();
        this.handshakeTimeout = config.handshakeTimeout();
        this.handshakes = handshakes;
        this.udt = udt;
        this.table = table;
        this.preferIpv6 = preferIpv6;
    }

    /** Dials one address over both transports, expecting {@code expected} (null: any peer of the network). */
    PeerHandle dial(InetSocketAddress address, PeerId expected, Route route, Duration timeout) throws CrustException {
        Race<PeerHandle> race = new Race<>(address.toString());
        if (tcp) {
            race.then("tcp", Duration.ZERO, connected -> handshakes.dialTcp(address, expected, route, timeout, connected));
        }
        if (udp && udt.isRunning()) {
            race.then("udt", TRANSPORT_STAGGER, connected -> udt.dial(address, expected, route, timeout, connected));
        }
        if (race.isEmpty()) {
            throw new ConnectFailedException(ConnectFailedException.Reason.NO_ADDRESS, "cannot reach " + address + ": no transport enabled");
        }
        return race.run(timeout);
    }

    /**
     * Dials the candidates of an info, expecting its id: every TCP candidate, then every crust-udt one,
     * each {@link #TRANSPORT_STAGGER} after the one before (or at once when all before it failed), the
     * IP versions alternating within each transport (see {@link #interleaveFamilies}).
     */
    PeerHandle dialInfo(ConnectionInfo info, Route route, Duration timeout) throws CrustException {
        Duration each = min(timeout, handshakeTimeout);
        boolean ipv6First = preferIpv6.getAsBoolean();
        Race<PeerHandle> race = new Race<>(info.id().shortForm());
        for (InetSocketAddress address : tcp ? interleaveFamilies(info.tcpAddresses(), ipv6First) : List.<InetSocketAddress>of()) {
            race.then("tcp", race.isEmpty() ? Duration.ZERO : TRANSPORT_STAGGER,
                    connected -> handshakes.dialTcp(address, info.id(), route, each, connected));
        }
        if (udp && udt.isRunning()) {
            for (InetSocketAddress address : interleaveFamilies(info.udpAddresses(), ipv6First)) {
                race.then("udt", race.isEmpty() ? Duration.ZERO : TRANSPORT_STAGGER,
                        connected -> udt.dial(address, info.id(), route, each, connected));
            }
        }
        try {
            if (race.isEmpty()) {
                throw new ConnectFailedException(ConnectFailedException.Reason.NO_ADDRESS,
                        "cannot reach " + info.id().shortForm() + ": no usable address");
            }
            return race.run(timeout);
        } catch (CrustException e) {
            // The peer may have reached us meanwhile (it dials too, in a rendezvous).
            Optional<PeerHandle> meanwhile = table.connected(info.id());
            if (meanwhile.isPresent()) {
                return meanwhile.get();
            }
            throw e;
        }
    }

    /** {@link #dialInfo}, unless the peer is already connected other than through a relay. */
    PeerHandle dialDirect(ConnectionInfo info, Route route, Duration timeout) throws CrustException {
        Optional<PeerHandle> existing = table.connected(info.id()).filter(h -> h.route() != Route.RELAYED);
        if (existing.isPresent()) {
            return existing.get();
        }
        return dialInfo(info, route, timeout);
    }

    /**
     * The addresses with the two IP versions alternating, starting with IPv6 if {@code ipv6First} (else
     * IPv4), each version's addresses in their given order (RFC 8305 section 4, with a "First Address
     * Family Count" of one). Addresses of one version only come back as given.
     */
    static List<InetSocketAddress> interleaveFamilies(List<InetSocketAddress> addresses, boolean ipv6First) {
        List<InetSocketAddress> first = new ArrayList<>();
        List<InetSocketAddress> second = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            ((a.getAddress() instanceof Inet6Address) == ipv6First ? first : second).add(a);
        }
        List<InetSocketAddress> out = new ArrayList<>(addresses.size());
        for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
            if (i < first.size()) {
                out.add(first.get(i));
            }
            if (i < second.size()) {
                out.add(second.get(i));
            }
        }
        return out;
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
