package io.crust.core.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord.Address;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Transport;
import io.crust.core.bootstrap.BootstrapPlan.Candidate;
import io.crust.core.bootstrap.BootstrapPlan.Source;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BootstrapPlanTest {
    private static final Set<Transport> BOTH = Set.of(Transport.TCP, Transport.UDT);

    private static InetSocketAddress at(int port) {
        return new InetSocketAddress("192.0.2.1", port);
    }

    private static BootstrapCache.Entry cached(PeerId id, Address... addresses) {
        return new BootstrapCache.Entry(id, List.of(addresses), 1, 0);
    }

    @Test
    void cacheAndContactsAreInterleavedCacheFirst() {
        PeerId a = Identity.generate().peerId();
        PeerId b = Identity.generate().peerId();
        List<BootstrapCache.Entry> cache = List.of(
                cached(a, new Address(Transport.TCP, Kind.HOST, at(1))),
                cached(b, new Address(Transport.UDT, Kind.MAPPED, at(2))));

        List<Candidate> plan = BootstrapPlan.candidates(cache, List.of(at(10), at(11), at(12)), BOTH, 10);

        assertThat(plan).extracting(Candidate::source)
                .containsExactly(Source.CACHE, Source.CONTACT, Source.CACHE, Source.CONTACT, Source.CONTACT);
        assertThat(plan.get(0).expectedPeer()).contains(a);
        assertThat(plan.get(1).expectedPeer()).isEmpty();
        assertThat(plan.get(1).addresses()).containsExactly(
                new Address(Transport.TCP, Kind.HOST, at(10)), new Address(Transport.UDT, Kind.HOST, at(10)));
        assertThat(plan.get(4).addresses().get(0).socketAddress()).isEqualTo(at(12));
    }

    @Test
    void aContactAlreadyInTheCacheIsTriedOnceWithItsKnownPeerId() {
        PeerId a = Identity.generate().peerId();
        List<Candidate> plan = BootstrapPlan.candidates(
                List.of(cached(a, new Address(Transport.TCP, Kind.HOST, at(1)))), List.of(at(1), at(2), at(2)), BOTH, 10);

        assertThat(plan).hasSize(2);
        assertThat(plan.get(0).expectedPeer()).isEqualTo(Optional.of(a));
        assertThat(plan.get(1).addresses().get(0).socketAddress()).isEqualTo(at(2));
    }

    @Test
    void addressesOfDisabledTransportsAreLeftOut() {
        PeerId a = Identity.generate().peerId();
        PeerId b = Identity.generate().peerId();
        List<BootstrapCache.Entry> cache = List.of(
                cached(a, new Address(Transport.UDT, Kind.HOST, at(1))),
                cached(b, new Address(Transport.UDT, Kind.HOST, at(2)), new Address(Transport.TCP, Kind.HOST, at(3))));

        List<Candidate> plan = BootstrapPlan.candidates(cache, List.of(at(10)), Set.of(Transport.TCP), 10);

        assertThat(plan).hasSize(2);
        assertThat(plan.get(0).expectedPeer()).contains(b);
        assertThat(plan.get(0).addresses()).containsExactly(new Address(Transport.TCP, Kind.HOST, at(3)));
        assertThat(plan.get(1).addresses()).containsExactly(new Address(Transport.TCP, Kind.HOST, at(10)));
    }

    @Test
    void thePlanIsCutAtTheMaximum() {
        List<Candidate> plan = BootstrapPlan.candidates(List.of(), List.of(at(1), at(2), at(3)), BOTH, 2);

        assertThat(plan).hasSize(2);
    }
}
