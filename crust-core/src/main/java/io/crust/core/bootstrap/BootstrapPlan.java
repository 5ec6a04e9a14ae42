package io.crust.core.bootstrap;

import io.crust.core.PeerId;
import io.crust.core.PeerRecord.Address;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The order in which a starting node tries its bootstrap candidates: the peers of the
 * {@link BootstrapCache} (most recent first) interleaved with the configured contacts, so that neither
 * a long stale cache nor a long contact list starves the other. The dialler takes candidates in this
 * order with a bounded number in flight; the first handshake that succeeds bootstraps the node.
 *
 * <p>Pure: no I/O, no clock.
 */
public final class BootstrapPlan {
    /** Where a candidate came from. */
    public enum Source {
        /** A peer we were connected to before. */
        CACHE,
        /** An address from the configuration (for example {@code --contact}). */
        CONTACT
    }

    /**
     * One peer to try.
     *
     * @param expectedPeer the peer id the remote side must prove, or empty for a contact whose id is not
     *        known (any peer of the same network is then accepted)
     * @param addresses where to dial it, in order of preference (never empty)
     * @param source where the candidate came from
     */
    public record Candidate(Optional<PeerId> expectedPeer, List<Address> addresses, Source source) {
        public Candidate {
            Objects.requireNonNull(expectedPeer, "expectedPeer");
            addresses = List.copyOf(addresses);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a candidate needs an address");
            }
            Objects.requireNonNull(source, "source");
        }
    }

    private BootstrapPlan() {
    }

    /**
     * The candidates to try, best first.
     *
     * @param cached the cache entries, most recent first ({@link BootstrapCache#entries()})
     * @param contacts configured contact addresses; each is tried on every enabled transport, TCP first
     * @param transports the transports this node may use; addresses of others are left out
     * @param maxCandidates at most this many candidates are returned
     */
    public static List<Candidate> candidates(List<BootstrapCache.Entry> cached, List<InetSocketAddress> contacts,
            Set<Transport> transports, int maxCandidates) {
        List<Candidate> fromCache = new ArrayList<>();
        Set<InetSocketAddress> cachedEndpoints = new HashSet<>();
        for (BootstrapCache.Entry entry : cached) {
            List<Address> usable = usable(entry.addresses(), transports);
            if (!usable.isEmpty()) {
                fromCache.add(new Candidate(Optional.of(entry.peerId()), usable, Source.CACHE));
                usable.forEach(a -> cachedEndpoints.add(a.socketAddress()));
            }
        }
        List<Candidate> fromContacts = new ArrayList<>();
        Set<InetSocketAddress> seenContacts = new HashSet<>();
        for (InetSocketAddress contact : contacts) {
            // A contact we already know by its peer id is covered by the cache entry, which also checks the id.
            if (cachedEndpoints.contains(contact) || !seenContacts.add(contact)) {
                continue;
            }
            List<Address> addresses = new ArrayList<>(2);
            if (transports.contains(Transport.TCP)) {
                addresses.add(new Address(Transport.TCP, Kind.HOST, contact));
            }
            if (transports.contains(Transport.UDT)) {
                addresses.add(new Address(Transport.UDT, Kind.HOST, contact));
            }
            if (!addresses.isEmpty()) {
                fromContacts.add(new Candidate(Optional.empty(), addresses, Source.CONTACT));
            }
        }
        List<Candidate> plan = new ArrayList<>(Math.min(maxCandidates, fromCache.size() + fromContacts.size()));
        for (int i = 0; plan.size() < maxCandidates && (i < fromCache.size() || i < fromContacts.size()); i++) {
            if (i < fromCache.size()) {
                plan.add(fromCache.get(i));
            }
            if (i < fromContacts.size() && plan.size() < maxCandidates) {
                plan.add(fromContacts.get(i));
            }
        }
        return plan;
    }

    private static List<Address> usable(Collection<Address> addresses, Set<Transport> transports) {
        List<Address> usable = new ArrayList<>(addresses.size());
        for (Address a : addresses) {
            if (transports.contains(a.transport())) {
                usable.add(a);
            }
        }
        return usable;
    }
}
