package io.crust.core;

import io.crust.core.wire.ConnectionInfoCodec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What another node needs to dial us: our peer id and candidate addresses (local, reflexive as seen by
 * peers, and mapped on the router), per transport. Obtain it with {@link CrustNode#connectionInfo()},
 * pass it out of band (chat, QR code, file) as {@link #toText()}, and dial it with
 * {@link CrustNode#connect(ConnectionInfo, java.time.Duration)}. Addresses are candidates, not proofs:
 * the handshake checks that whoever answers holds the key of {@link #id()}.
 *
 * @param id the peer to reach
 * @param tcpAddresses TCP candidates, best first (at most {@value #MAX_ADDRESSES})
 * @param udpAddresses crust-udt (UDP) candidates, best first (at most {@value #MAX_ADDRESSES})
 * @param tcpKinds how each TCP candidate was learnt, in the same order (a dialler names its route by it)
 * @param udpKinds how each UDP candidate was learnt, in the same order
 */
public record ConnectionInfo(PeerId id, List<InetSocketAddress> tcpAddresses, List<InetSocketAddress> udpAddresses,
        List<PeerRecord.Kind> tcpKinds, List<PeerRecord.Kind> udpKinds) {
    /** The most addresses per transport that an info carries. */
    public static final int MAX_ADDRESSES = 16;

    /**
     * Copies the lists and checks them.
     *
     * @throws IllegalArgumentException if a kinds list is not as long as its addresses list, a transport has more
     *                                  than {@value #MAX_ADDRESSES} addresses, or an address is unresolved
     */
    public ConnectionInfo {
        Objects.requireNonNull(id, "id");
        tcpAddresses = List.copyOf(tcpAddresses);
        udpAddresses = List.copyOf(udpAddresses);
        tcpKinds = List.copyOf(tcpKinds);
        udpKinds = List.copyOf(udpKinds);
        if (tcpKinds.size() != tcpAddresses.size() || udpKinds.size() != udpAddresses.size()) {
            throw new IllegalArgumentException("one kind per address: " + tcpKinds.size() + " kinds for "
                    + tcpAddresses.size() + " TCP addresses, " + udpKinds.size() + " for " + udpAddresses.size() + " UDP");
        }
        if (tcpAddresses.size() > MAX_ADDRESSES || udpAddresses.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("at most " + MAX_ADDRESSES + " addresses per transport");
        }
        for (InetSocketAddress a : tcpAddresses) {
            requireResolved(a);
        }
        for (InetSocketAddress a : udpAddresses) {
            requireResolved(a);
        }
    }

    /**
     * Candidates whose kind is not known, taken as the peer's own ({@link PeerRecord.Kind#HOST}) addresses.
     *
     * @param id           the peer to reach
     * @param tcpAddresses TCP candidates, best first
     * @param udpAddresses crust-udt (UDP) candidates, best first
     */
    public ConnectionInfo(PeerId id, List<InetSocketAddress> tcpAddresses, List<InetSocketAddress> udpAddresses) {
        this(id, tcpAddresses, udpAddresses, hosts(tcpAddresses), hosts(udpAddresses));
    }

    /**
     * Narrows this info to one TCP candidate, to dial it alone.
     *
     * @param index the candidate's position in {@link #tcpAddresses()}
     * @return this info with only that TCP candidate, kind kept, and no UDP candidate
     * @throws IndexOutOfBoundsException if there is no such candidate
     */
    public ConnectionInfo onlyTcp(int index) {
        return new ConnectionInfo(id, List.of(tcpAddresses.get(index)), List.of(), List.of(tcpKinds.get(index)), List.of());
    }

    /**
     * Narrows this info to one UDP candidate, to dial it alone.
     *
     * @param index the candidate's position in {@link #udpAddresses()}
     * @return this info with only that UDP candidate, kind kept, and no TCP candidate
     * @throws IndexOutOfBoundsException if there is no such candidate
     */
    public ConnectionInfo onlyUdp(int index) {
        return new ConnectionInfo(id, List.of(), List.of(udpAddresses.get(index)), List.of(), List.of(udpKinds.get(index)));
    }

    /**
     * Collects the IP addresses of some kinds of candidate.
     *
     * @param kinds the kinds of candidate wanted
     * @return the distinct IP addresses of the TCP and then UDP candidates of those kinds, in candidate order
     */
    public Set<InetAddress> ipsOf(Set<PeerRecord.Kind> kinds) {
        Set<InetAddress> ips = new LinkedHashSet<>();
        for (int i = 0; i < tcpAddresses.size(); i++) {
            if (kinds.contains(tcpKinds.get(i))) {
                ips.add(tcpAddresses.get(i).getAddress());
            }
        }
        for (int i = 0; i < udpAddresses.size(); i++) {
            if (kinds.contains(udpKinds.get(i))) {
                ips.add(udpAddresses.get(i).getAddress());
            }
        }
        return ips;
    }

    private static List<PeerRecord.Kind> hosts(List<InetSocketAddress> addresses) {
        return java.util.Collections.nCopies(addresses == null ? 0 : addresses.size(), PeerRecord.Kind.HOST);
    }

    /** {@return a compact, copyable text form: {@code crust1:} followed by base64url} {@link #parse} reads it back. */
    public String toText() {
        return ConnectionInfoCodec.toText(this);
    }

    /**
     * Parses {@link #toText()}.
     *
     * @param text the text form, as a user pasted it
     * @return the info
     * @throws IllegalArgumentException with a message saying what is wrong with the text
     */
    public static ConnectionInfo parse(String text) {
        return ConnectionInfoCodec.parseText(text);
    }

    private static void requireResolved(InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; give a literal IP address");
        }
    }
}
