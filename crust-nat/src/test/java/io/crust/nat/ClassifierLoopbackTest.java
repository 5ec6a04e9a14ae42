package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.NatBehaviour.Dependence;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Classification without a NAT: loopback is the open internet, endpoint-independent both ways. */
class ClassifierLoopbackTest {
    private static final NatClassifier.Options FAST = new NatClassifier.Options(Duration.ofMillis(1500),
            Duration.ofMillis(100), Duration.ZERO);

    @Test
    void loopbackWithAnRfc5780ServerIsOpenInternet() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                InetAddress.getByName("127.0.0.2"), 0);
                DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            NatBehaviour b = NatClassifier.classify(port, server.address(), FAST);

            assertThat(b.external()).isEqualTo(port.localAddress());
            assertThat(b.behindNat()).isFalse();
            assertThat(b.mapping()).isEqualTo(Dependence.ENDPOINT_INDEPENDENT);
            assertThat(b.filtering()).isEqualTo(Dependence.ENDPOINT_INDEPENDENT);
            assertThat(b.hairpinning()).isEqualTo(NatBehaviour.Hairpinning.SUPPORTED);
            assertThat(b.classicName()).isEqualTo("open");
        }
    }

    @Test
    void serverWithoutAlternateAddressLeavesFilteringUnknown() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            NatBehaviour b = NatClassifier.classify(port, server.address(), FAST);

            assertThat(b.mapping()).isEqualTo(Dependence.ENDPOINT_INDEPENDENT);
            assertThat(b.filtering()).isEqualTo(Dependence.UNKNOWN);
        }
    }

    @Test
    void twoCooperatingPeersAgreeOnTheMappingOfAnUnNattedSocket() throws Exception {
        try (StunServer peerA = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                StunServer peerB = StunServer.start(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            NatBehaviour b = NatClassifier.classifyThroughPeers(port, peerA.address(), peerB.address(), FAST);

            assertThat(b.mapping()).isEqualTo(Dependence.ENDPOINT_INDEPENDENT);
            assertThat(b.external()).isEqualTo(port.localAddress());
        }
    }

    @Test
    void bindingLifetimeProbeReportsTheLongestIdleTimeTried() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, 0);
                DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            // Loopback never expires a binding, so the probe survives up to its bound (800 ms).
            assertThat(NatClassifier.bindingLifetimeAtLeast(port, server.address(), Duration.ofMillis(800), FAST))
                    .contains(Duration.ofMillis(800));
        }
    }

    @Test
    void bindingLifetimeProbeIsEmptyWhenTheServerIgnoresResponsePort() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertThat(NatClassifier.bindingLifetimeAtLeast(port, server.address(), Duration.ofMillis(800), FAST)).isEmpty();
        }
    }

    @Test
    void verdictsFollowRfc5780() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("203.0.113.2"), 1000);
        InetSocketAddress b = new InetSocketAddress(InetAddress.getByName("203.0.113.2"), 2000);
        InetSocketAddress c = new InetSocketAddress(InetAddress.getByName("203.0.113.2"), 3000);

        assertThat(io.crust.nat.classify.Verdicts.mapping(a, a, null)).isEqualTo(Dependence.ENDPOINT_INDEPENDENT);
        assertThat(io.crust.nat.classify.Verdicts.mapping(a, b, b)).isEqualTo(Dependence.ADDRESS_DEPENDENT);
        assertThat(io.crust.nat.classify.Verdicts.mapping(a, b, c)).isEqualTo(Dependence.ADDRESS_AND_PORT_DEPENDENT);
        assertThat(io.crust.nat.classify.Verdicts.filtering(true, false)).isEqualTo(Dependence.ENDPOINT_INDEPENDENT);
        assertThat(io.crust.nat.classify.Verdicts.filtering(false, true)).isEqualTo(Dependence.ADDRESS_DEPENDENT);
        assertThat(io.crust.nat.classify.Verdicts.filtering(false, false)).isEqualTo(Dependence.ADDRESS_AND_PORT_DEPENDENT);
    }
}
