package io.crust.core.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.ConnectionInfo;
import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Route;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A rendezvous dial names its route after the kind of candidate that answered. */
class RouteOfCandidateTest {
    private static final PeerId PEER = Identity.generate().peerId();
    private static final InetSocketAddress ADDRESS = new InetSocketAddress("192.0.2.7", 5000);

    @Test
    void aDialToThePeersOwnInterfaceIsDirect() {
        assertThat(DirectAttempts.routeOf(tcp(Kind.HOST))).isEqualTo(Route.DIRECT);
    }

    @Test
    void aDialToAPortMappingIsMapped() {
        assertThat(DirectAttempts.routeOf(tcp(Kind.MAPPED))).isEqualTo(Route.MAPPED);
    }

    @Test
    void aDialToAReflexiveAddressIsPunchedOverEitherTransport() {
        assertThat(DirectAttempts.routeOf(tcp(Kind.REFLEXIVE))).isEqualTo(Route.PUNCHED);
        ConnectionInfo udp = new ConnectionInfo(PEER, List.of(), List.of(ADDRESS), List.of(), List.of(Kind.REFLEXIVE));
        assertThat(DirectAttempts.routeOf(udp)).isEqualTo(Route.PUNCHED);
    }

    private static ConnectionInfo tcp(Kind kind) {
        return new ConnectionInfo(PEER, List.of(ADDRESS), List.of(), List.of(kind), List.of());
    }
}
