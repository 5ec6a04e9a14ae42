package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.Eventually;
import io.crust.nat.gateway.FakePortMappingGateway;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PortMapper against a fake NAT-PMP/PCP gateway on 127.0.0.1. */
@Timeout(60)
class PortMapperLoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static PortMapperOptions options(int gatewayPort) {
        return PortMapperOptions.defaults()
                .withGateway(InetAddress.getLoopbackAddress())
                .withGatewayPort(gatewayPort)
                .withInitialRetransmit(Duration.ofMillis(100))
                .withMaxAttempts(3)
                .withExchangeTimeout(Duration.ofSeconds(3));
    }

    @Test
    void natPmpMappingReportsTheExternalAddressAndIsDeletedOnClose() throws Exception {
        try (var gateway = new FakePortMappingGateway();
                PortMapper mapper = PortMappers.of(MappingProtocol.NAT_PMP, options(gateway.port()))) {
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4001, Duration.ofHours(1));
            assertThat(mapping.external()).isEqualTo(new InetSocketAddress(InetAddress.getByAddress(FakePortMappingGateway.EXTERNAL), 4001));
            assertThat(mapping.protocol()).isEqualTo(MappingProtocol.NAT_PMP);
            assertThat(mapping.lifetime()).isEqualTo(Duration.ofHours(1));
            assertThat(mapping.doubleNat()).isFalse();
            assertThat(gateway.hasMapping("udp", 4000)).isTrue();
            mapping.close();
            assertThat(gateway.hasMapping("udp", 4000)).isFalse();
            assertThat(gateway.log()).contains("pmp delete udp/4000");
        }
    }

    @Test
    void pcpMappingGetsTheRequestedPortAndIsDeletedOnClose() throws Exception {
        try (var gateway = new FakePortMappingGateway();
                PortMapper mapper = PortMappers.of(MappingProtocol.PCP, options(gateway.port()))) {
            PortMapping mapping = mapper.map(IpProtocol.TCP, 5000, 5000, Duration.ofMinutes(10));
            assertThat(mapping.external().getPort()).isEqualTo(5000);
            assertThat(mapping.protocol()).isEqualTo(MappingProtocol.PCP);
            assertThat(gateway.hasMapping("tcp", 5000)).isTrue();
            mapping.close();
            assertThat(gateway.log()).contains("pcp delete tcp/5000");
        }
    }

    @Test
    void pcpFallsBackToNatPmpWhenTheGatewayAnswersUnsupportedVersion() throws Exception {
        try (var gateway = new FakePortMappingGateway().natPmpOnly();
                PortMapper mapper = PortMappers.of(MappingProtocol.PCP, options(gateway.port()))) {
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4100, 0, Duration.ofMinutes(10));
            assertThat(mapping.protocol()).isEqualTo(MappingProtocol.NAT_PMP);
            assertThat(gateway.log()).startsWith("unsupported-version 2");
            mapping.close();
            assertThat(gateway.log()).contains("pmp delete udp/4100");
        }
    }

    @Test
    void autoMapsThroughPcpFirst() throws Exception {
        try (var gateway = new FakePortMappingGateway();
                PortMapper mapper = PortMappers.auto(options(gateway.port()))) {
            assertThat(mapper.protocol()).isNull();
            try (PortMapping mapping = mapper.map(IpProtocol.UDP, 4200, 4200, Duration.ofMinutes(10))) {
                assertThat(mapping.protocol()).isEqualTo(MappingProtocol.PCP);
                assertThat(mapper.protocol()).isEqualTo(MappingProtocol.PCP);
            }
        }
    }

    @Test
    void renewalAtHalfLifeKeepsTheMappingAlive() throws Exception {
        try (var gateway = new FakePortMappingGateway();
                PortMapper mapper = PortMappers.of(MappingProtocol.NAT_PMP, options(gateway.port()))) {
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4300, 4300, Duration.ofSeconds(2));
            assertThat(Eventually.holds(WAIT, () -> gateway.log().stream()
                    .filter(e -> e.startsWith("pmp map udp/4300")).count() >= 3)).isTrue();
            assertThat(mapping.external().getPort()).isEqualTo(4300);
        }
    }

    @Test
    void natPmpGatewayRebootIsSeenInTheEpochAndTheMappingIsRecreated() throws Exception {
        gatewayRebootRecreatesTheMapping(MappingProtocol.NAT_PMP, "udp");
    }

    @Test
    void pcpGatewayRebootIsSeenInTheEpochAndTheMappingIsRecreated() throws Exception {
        gatewayRebootRecreatesTheMapping(MappingProtocol.PCP, "udp");
    }

    private void gatewayRebootRecreatesTheMapping(MappingProtocol protocol, String transport) throws Exception {
        try (var gateway = new FakePortMappingGateway();
                PortMapper mapper = PortMappers.of(protocol, options(gateway.port()))) {
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4400, 4400, Duration.ofSeconds(2));
            assertThat(mapping.external().getPort()).isEqualTo(4400);
            gateway.reboot();
            assertThat(gateway.hasMapping(transport, 4400)).isFalse();
            // after the reboot the fake gateway hands out ports from 30000: the new port proves the re-map
            assertThat(Eventually.holds(WAIT, () -> mapping.external().getPort() == 30000)).isTrue();
            assertThat(gateway.hasMapping(transport, 4400)).isTrue();
            mapping.close();
            assertThat(gateway.hasMapping(transport, 4400)).isFalse();
        }
    }

    @Test
    void natPmpRefusalNamesTheResultCode() throws Exception {
        try (var gateway = new FakePortMappingGateway().refusing(2);
                PortMapper mapper = PortMappers.of(MappingProtocol.NAT_PMP, options(gateway.port()))) {
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4500, 0, Duration.ofMinutes(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("Not Authorized/Refused (2)");
        }
    }

    @Test
    void pcpRefusalNamesTheResultCode() throws Exception {
        try (var gateway = new FakePortMappingGateway().refusing(8);
                PortMapper mapper = PortMappers.of(MappingProtocol.PCP, options(gateway.port()))) {
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4500, 0, Duration.ofMinutes(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("NO_RESOURCES (8)");
        }
    }

    @Test
    void silentGatewayFailsAfterTheConfiguredNumberOfSends() throws Exception {
        try (var gateway = new FakePortMappingGateway().silent();
                PortMapper mapper = PortMappers.of(MappingProtocol.NAT_PMP, options(gateway.port()))) {
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4600, 0, Duration.ofMinutes(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("no valid answer").hasMessageContaining("3 sends");
        }
    }

    @Test
    void malformedRepliesEndInAClearErrorInsteadOfAHang() throws Exception {
        byte[] truncated = {0, (byte) 129, 0, 0, 0, 0};
        try (var gateway = new FakePortMappingGateway().answering(truncated);
                PortMapper pmp = PortMappers.of(MappingProtocol.NAT_PMP, options(gateway.port()));
                PortMapper pcp = PortMappers.of(MappingProtocol.PCP, options(gateway.port()))) {
            assertThatThrownBy(() -> pmp.map(IpProtocol.UDP, 4700, 0, Duration.ofMinutes(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("malformed");
            assertThatThrownBy(() -> pcp.map(IpProtocol.UDP, 4700, 0, Duration.ofMinutes(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("malformed");
        }
    }

    @Test
    void gatewayWithoutAServerIsReportedAtOnceThroughPortUnreachable() throws Exception {
        int closedPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = probe.getLocalPort();
        }
        try (PortMapper mapper = PortMappers.of(MappingProtocol.NAT_PMP, options(closedPort))) {
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4800, 0, Duration.ofMinutes(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("ICMP port unreachable");
        }
    }

    @Test
    void closingTheMapperDeletesTheMappingsItStillHolds() throws Exception {
        try (var gateway = new FakePortMappingGateway()) {
            PortMapper mapper = PortMappers.of(MappingProtocol.PCP, options(gateway.port()));
            mapper.map(IpProtocol.UDP, 4900, 0, Duration.ofMinutes(5));
            mapper.map(IpProtocol.TCP, 4901, 0, Duration.ofMinutes(5));
            mapper.close();
            assertThat(gateway.hasMapping("udp", 4900)).isFalse();
            assertThat(gateway.hasMapping("tcp", 4901)).isFalse();
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4902, 0, Duration.ofMinutes(5)))
                    .isInstanceOf(NatException.class).hasMessageContaining("closed");
        }
    }
}
