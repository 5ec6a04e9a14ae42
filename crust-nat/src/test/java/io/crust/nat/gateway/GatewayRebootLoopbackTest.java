package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.MappingProtocol;
import io.crust.nat.PortMapper;
import io.crust.nat.IpProtocol;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMapping;
import io.crust.nat.pcp.PcpSession;
import io.crust.nat.pmp.NatPmpSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A gateway that reboots and forgets its mappings long before they are due for renewal: the check between
 * renewals, or the gateway's restart announcement, brings the mapping back. Against
 * {@link FakePortMappingGateway} on 127.0.0.1, whose reboot restarts its epoch at 0 and hands out ports
 * from 30000, so the new port proves the re-mapping.
 */
@Timeout(60)
class GatewayRebootLoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration LONG_LEASE = Duration.ofHours(1);

    private static PortMapperOptions options(int gatewayPort) {
        return PortMapperOptions.defaults()
                .withGateway(InetAddress.getLoopbackAddress())
                .withGatewayPort(gatewayPort)
                .withInitialRetransmit(Duration.ofMillis(100))
                .withMaxAttempts(3)
                .withExchangeTimeout(Duration.ofSeconds(3));
    }

    private static LeasingPortMapper mapper(MappingProtocol protocol, PortMapperOptions options, int listenerPort) {
        GatewaySession session = protocol == MappingProtocol.PCP ? new PcpSession(options) : new NatPmpSession(options);
        return new LeasingPortMapper(session, options, listenerPort);
    }

    @Test
    void natPmpMappingLostInARebootIsRecreatedAtTheNextCheck() throws Exception {
        recreatedAtTheNextCheck(MappingProtocol.NAT_PMP, "pmp external-address");
    }

    @Test
    void pcpMappingLostInARebootIsRecreatedAtTheNextCheck() throws Exception {
        recreatedAtTheNextCheck(MappingProtocol.PCP, "pcp announce");
    }

    private void recreatedAtTheNextCheck(MappingProtocol protocol, String checkRequest) throws Exception {
        try (var gateway = new FakePortMappingGateway();
                PortMapper mapper = mapper(protocol, options(gateway.port()).withCheckInterval(Duration.ofMillis(200)), -1)) {
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4400, 4400, LONG_LEASE);
            assertThat(Eventually.holds(WAIT, () -> gateway.log().contains(checkRequest))).isTrue();
            gateway.reboot();
            assertThat(gateway.hasMapping("udp", 4400)).isFalse();
            assertThat(Eventually.holds(WAIT, () -> mapping.external().getPort() == 30000)).isTrue();
            assertThat(gateway.hasMapping("udp", 4400)).isTrue();
            // one re-mapping, not one per check
            assertThat(Eventually.holds(WAIT, () -> gateway.log().stream().filter(e -> e.equals(checkRequest)).count() >= 6)).isTrue();
            assertThat(gateway.log().stream().filter(e -> e.contains(" map udp/4400")).count()).isEqualTo(2);
            mapping.close();
            assertThat(gateway.hasMapping("udp", 4400)).isFalse();
        }
    }

    @Test
    void natPmpRestartAnnouncementBringsTheMappingBackWithoutPeriodicChecks() throws Exception {
        recreatedOnAnnouncement(MappingProtocol.NAT_PMP);
    }

    @Test
    void pcpRestartAnnouncementBringsTheMappingBackWithoutPeriodicChecks() throws Exception {
        recreatedOnAnnouncement(MappingProtocol.PCP);
    }

    private void recreatedOnAnnouncement(MappingProtocol protocol) throws Exception {
        try (var gateway = new FakePortMappingGateway()) {
            LeasingPortMapper mapper = mapper(protocol, options(gateway.port()).withCheckInterval(Duration.ZERO), 0);
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4500, 4500, LONG_LEASE);
            int listening = mapper.announcementListenerPort();
            assertThat(listening).isPositive();
            gateway.reboot();
            gateway.announce(new InetSocketAddress(InetAddress.getLoopbackAddress(), listening));
            assertThat(Eventually.holds(WAIT, () -> mapping.external().getPort() == 30000)).isTrue();
            assertThat(gateway.hasMapping("udp", 4500)).isTrue();
            mapper.close();
            assertThat(mapper.announcementListenerPort()).isZero();
            assertThat(gateway.hasMapping("udp", 4500)).isFalse();
        }
    }
}
