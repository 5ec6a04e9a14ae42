package io.crust.core.service;

import io.crust.core.ConnectionInfo;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What this node knows of its own addresses: the bound listeners, reflexive addresses that peers
 * observed (HELLO) and port mappings. Builds our {@link ConnectionInfo}: mapped, then reflexive, then
 * host candidates, at most {@link ConnectionInfo#MAX_ADDRESSES} per transport.
 */
final class Addresses {
    private static final int MAX_EXTERNAL = 8;

    private final ReentrantLock lock = new ReentrantLock();
    private volatile InetSocketAddress tcpBound;
    private volatile InetSocketAddress udpBound;
    private final Set<InetSocketAddress> tcpExternal = new LinkedHashSet<>();
    private final Set<InetSocketAddress> udpExternal = new LinkedHashSet<>();
    private final Set<InetSocketAddress> tcpMapped = new LinkedHashSet<>();
    private final Set<InetSocketAddress> udpMapped = new LinkedHashSet<>();

    void tcpBound(InetSocketAddress address) {
        tcpBound = address;
    }

    void udpBound(InetSocketAddress address) {
        udpBound = address;
    }

    InetSocketAddress tcpBound() {
        return tcpBound;
    }

    InetSocketAddress udpBound() {
        return udpBound;
    }

    /**
     * A peer saw us at {@code observed}. Over UDP that is our reflexive mapping as is (one socket for
     * everything); over TCP the port is the ephemeral one of our outbound connection, so the candidate
     * is the observed IP with our listen port (valid when the NAT keeps ports, or on a public host).
     */
    void observed(Transport transport, InetSocketAddress observed) {
        if (observed == null || observed.getAddress().isLoopbackAddress() || isLocal(observed.getAddress())) {
            return;
        }
        lock.lock();
        try {
            if (transport == Transport.UDT) {
                add(udpExternal, observed);
            } else if (tcpBound != null) {
                add(tcpExternal, new InetSocketAddress(observed.getAddress(), tcpBound.getPort()));
            }
        } finally {
            lock.unlock();
        }
    }

    void mapped(Transport transport, InetSocketAddress external) {
        lock.lock();
        try {
            add(transport == Transport.TCP ? tcpMapped : udpMapped, external);
        } finally {
            lock.unlock();
        }
    }

    List<InetSocketAddress> external() {
        lock.lock();
        try {
            Set<InetSocketAddress> all = new LinkedHashSet<>();
            all.addAll(tcpMapped);
            all.addAll(udpMapped);
            all.addAll(tcpExternal);
            all.addAll(udpExternal);
            return List.copyOf(all);
        } finally {
            lock.unlock();
        }
    }

    ConnectionInfo info(PeerId self) {
        lock.lock();
        try {
            List<InetSocketAddress> tcp = candidates(tcpMapped, tcpExternal, tcpBound);
            List<InetSocketAddress> udp = candidates(udpMapped, udpExternal, udpBound);
            return new ConnectionInfo(self, tcp, udp, kinds(tcp, tcpMapped, tcpBound), kinds(udp, udpMapped, udpBound));
        } finally {
            lock.unlock();
        }
    }

    /** Our addresses for a signed peer record, each with its kind. */
    List<PeerRecord.Address> recordAddresses() {
        lock.lock();
        try {
            List<PeerRecord.Address> out = new ArrayList<>();
            tcpMapped.forEach(a -> out.add(new PeerRecord.Address(Transport.TCP, PeerRecord.Kind.MAPPED, a)));
            udpMapped.forEach(a -> out.add(new PeerRecord.Address(Transport.UDT, PeerRecord.Kind.MAPPED, a)));
            tcpExternal.forEach(a -> out.add(new PeerRecord.Address(Transport.TCP, PeerRecord.Kind.REFLEXIVE, a)));
            udpExternal.forEach(a -> out.add(new PeerRecord.Address(Transport.UDT, PeerRecord.Kind.REFLEXIVE, a)));
            if (tcpBound != null) {
                LocalAddresses.of(tcpBound).forEach(a -> out.add(new PeerRecord.Address(Transport.TCP, PeerRecord.Kind.HOST, a)));
            }
            if (udpBound != null) {
                LocalAddresses.of(udpBound).forEach(a -> out.add(new PeerRecord.Address(Transport.UDT, PeerRecord.Kind.HOST, a)));
            }
            return out.size() > PeerRecord.MAX_ADDRESSES ? List.copyOf(out.subList(0, PeerRecord.MAX_ADDRESSES)) : out;
        } finally {
            lock.unlock();
        }
    }

    private static List<InetSocketAddress> candidates(Set<InetSocketAddress> mapped, Set<InetSocketAddress> external,
            InetSocketAddress bound) {
        Set<InetSocketAddress> all = new LinkedHashSet<>(mapped);
        all.addAll(external);
        if (bound != null) {
            all.addAll(LocalAddresses.of(bound));
        }
        List<InetSocketAddress> list = new ArrayList<>(all);
        return list.size() > ConnectionInfo.MAX_ADDRESSES ? list.subList(0, ConnectionInfo.MAX_ADDRESSES) : list;
    }

    /** Mapped if we mapped it, host if one of our interfaces has it (a public host), else reflexive. */
    private static List<PeerRecord.Kind> kinds(List<InetSocketAddress> candidates, Set<InetSocketAddress> mapped,
            InetSocketAddress bound) {
        List<InetSocketAddress> local = bound == null ? List.of() : LocalAddresses.of(bound);
        List<PeerRecord.Kind> kinds = new ArrayList<>(candidates.size());
        for (InetSocketAddress a : candidates) {
            kinds.add(mapped.contains(a) ? PeerRecord.Kind.MAPPED
                    : local.contains(a) ? PeerRecord.Kind.HOST : PeerRecord.Kind.REFLEXIVE);
        }
        return kinds;
    }

    private static void add(Set<InetSocketAddress> set, InetSocketAddress address) {
        if (set.size() < MAX_EXTERNAL || set.contains(address)) {
            set.add(address);
        }
    }

    private boolean isLocal(InetAddress address) {
        InetSocketAddress t = tcpBound;
        InetSocketAddress u = udpBound;
        return (t != null && LocalAddresses.of(t).stream().anyMatch(a -> a.getAddress().equals(address)))
                || (u != null && LocalAddresses.of(u).stream().anyMatch(a -> a.getAddress().equals(address)));
    }
}
