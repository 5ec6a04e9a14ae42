package io.crust.nat.punch;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.Candidate;
import io.crust.nat.DatagramChannelPort;
import io.crust.nat.DatagramPort;
import io.crust.nat.PunchOffer;
import io.crust.nat.StunServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatheringTest {

    @Test
    void hostCandidatesAlternateTheFamiliesStartingWithIpv6InFallingPreference() throws Exception {
        List<Candidate> hosts = Gathering.interleaved(List.of(ip("2001:db8:1::2"), ip("fd00::2")),
                List.of(ip("192.168.1.2"), ip("10.0.0.2"), ip("172.16.0.2")), 4000);

        assertThat(hosts).extracting(c -> c.address().getAddress().getHostAddress()).containsExactly(
                "2001:db8:1:0:0:0:0:2", "192.168.1.2", "fd00:0:0:0:0:0:0:2", "10.0.0.2", "172.16.0.2");
        assertThat(hosts).allMatch(c -> c.type() == Candidate.Type.HOST && c.address().getPort() == 4000);
        assertThat(hosts).extracting(Candidate::priority).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    }

    @Test
    void onlyGlobalAndUniqueLocalIpv6AddressesArePeerReachable() throws Exception {
        assertThat(Gathering.reachableIpv6(ip("2001:db8:1::2"))).isTrue();
        assertThat(Gathering.reachableIpv6(ip("fd00::2"))).isTrue();
        assertThat(Gathering.reachableIpv6(ip("fe80::1"))).as("link-local").isFalse();
        assertThat(Gathering.reachableIpv6(ip("fec0::1"))).as("site-local, deprecated").isFalse();
        assertThat(Gathering.reachableIpv6(ip("::1"))).as("loopback").isFalse();
        assertThat(Gathering.reachableIpv6(ip("ff02::1"))).as("multicast").isFalse();
    }

    @Test
    void aStunServerOfAFamilyWithNoHostCandidateIsNotAskedAndTheOthersStillAnswer() throws Exception {
        try (DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(ip("127.0.0.1"), 0));
                StunServer v4 = StunServer.start(new InetSocketAddress(ip("127.0.0.1"), 0));
                StunServer v6 = StunServer.start(new InetSocketAddress(ip("::1"), 0))) {
            PunchOffer offer = Gathering.gather(port, List.of(v6.address(), v4.address()), List.of(), Duration.ofSeconds(5));

            // Bound to an IPv4 address, the socket could not even send to ::1; the IPv4 server's answer
            // names the bound address, already the host candidate.
            assertThat(offer.candidates()).extracting(Candidate::address).containsExactly(port.localAddress());
            assertThat(offer.endpointDependentMapping()).isFalse();
        }
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // a literal: no name is looked up
    }
}
