package io.crust.core.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.ConnectionInfo;
import io.crust.core.Identity;
import io.crust.core.PeerRecord.Kind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpPunchTest {
    /** A dual-stack peer behind a NAT: host addresses of both families, a reflexive IPv4 one. */
    private static final ConnectionInfo DUAL_STACK = new ConnectionInfo(Identity.generate().peerId(),
            List.of(at("192.168.2.2"), at("2001:db8:2::2"), at("fd00::2"), at("203.0.113.12")), List.of(),
            List.of(Kind.HOST, Kind.HOST, Kind.HOST, Kind.REFLEXIVE), List.of());

    @Test
    void aNodeWithGlobalIpv6PunchesThePeersGlobalIpv6HostAddressFirstThenItsPublicIpv4() throws Exception {
        assertThat(TcpPunch.publicAddresses(DUAL_STACK, true))
                .containsExactly(InetAddress.getByName("2001:db8:2::2"), InetAddress.getByName("203.0.113.12"));
    }

    @Test
    void aNodeWithoutGlobalIpv6PunchesOnlyThePeersPublicIpv4() throws Exception {
        assertThat(TcpPunch.publicAddresses(DUAL_STACK, false)).containsExactly(InetAddress.getByName("203.0.113.12"));
    }

    @Test
    void onlyAddressesIn2000Slash3AreGlobalIpv6() throws Exception {
        assertThat(TcpPunch.isGlobalIpv6(InetAddress.getByName("2001:db8::1"))).isTrue();
        assertThat(TcpPunch.isGlobalIpv6(InetAddress.getByName("3fff::1"))).isTrue();
        assertThat(TcpPunch.isGlobalIpv6(InetAddress.getByName("fd00::2"))).as("unique local").isFalse();
        assertThat(TcpPunch.isGlobalIpv6(InetAddress.getByName("fe80::1"))).as("link-local").isFalse();
        assertThat(TcpPunch.isGlobalIpv6(InetAddress.getByName("::1"))).as("loopback").isFalse();
        assertThat(TcpPunch.isGlobalIpv6(InetAddress.getByName("203.0.113.12"))).as("IPv4").isFalse();
    }

    private static InetSocketAddress at(String literal) {
        return new InetSocketAddress(literal, 5483); // literals only: no name is looked up
    }
}
