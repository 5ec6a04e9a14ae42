package io.crust.nat.upnp;

import io.crust.nat.PortMappers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper;
import io.crust.nat.IpProtocol;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMapping;
import io.crust.nat.gateway.Eventually;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The UPnP client against {@link FakeIgd} on 127.0.0.1. */
@Timeout(60)
class UpnpLoopbackTest {

    private static PortMapper mapper(FakeIgd igd) {
        return PortMappers.of(MappingProtocol.UPNP, PortMapperOptions.defaults()
                .withSsdpTarget(igd.ssdpAddress())
                .withDiscoveryTimeout(Duration.ofSeconds(2))
                .withHttpTimeout(Duration.ofSeconds(2)));
    }

    @Test
    void mappingIsAddedReadBackAndDeletedOnClose() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1));
            assertThat(mapping.external().getAddress().getHostAddress()).isEqualTo("198.51.100.9");
            assertThat(mapping.external().getPort()).isEqualTo(4000);
            assertThat(mapping.protocol()).isEqualTo(MappingProtocol.UPNP);
            assertThat(mapping.lifetime()).isEqualTo(Duration.ofHours(1));
            assertThat(igd.mappings).containsEntry("UDP/4000", "127.0.0.1:4000");
            mapping.close();
            assertThat(igd.mappings).isEmpty();
            assertThat(igd.actions()).containsExactly("GetExternalIPAddress", "AddPortMapping",
                    "GetSpecificPortMappingEntry", "DeletePortMapping");
        }
    }

    @Test
    void conflictOnIgd2IsResolvedWithAddAnyPortMapping() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            igd.conflictingPorts.add(4000);
            try (PortMapping mapping = mapper.map(IpProtocol.TCP, 4000, 4000, Duration.ofHours(1))) {
                assertThat(mapping.external().getPort()).isEqualTo(50000);
                assertThat(igd.actions()).contains("AddAnyPortMapping");
            }
            assertThat(igd.mappings).isEmpty();
        }
    }

    @Test
    void conflictOnIgd1IsResolvedByTryingAnotherPort() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            igd.version = 1;
            igd.conflictingPorts.add(4000);
            try (PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1))) {
                assertThat(mapping.external().getPort()).isNotEqualTo(4000).isBetween(1024, 65535);
                assertThat(igd.actions()).doesNotContain("AddAnyPortMapping");
            }
            assertThat(igd.mappings).isEmpty();
        }
    }

    @Test
    void gatewayWithOnlyPermanentLeasesGetsLeaseZeroAndTheMappingIsStillDeleted() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            igd.onlyPermanentLeases = true;
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1));
            assertThat(mapping.lifetime()).isZero();
            assertThat(igd.calls).contains("AddPortMapping 4000 3600", "AddPortMapping 4000 0");
            mapping.close();
            assertThat(igd.mappings).isEmpty();
        }
    }

    @Test
    void privateExternalAddressIsReportedAsDoubleNat() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            igd.externalIp = "100.64.3.2";
            try (PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1))) {
                assertThat(mapping.doubleNat()).isTrue();
            }
        }
    }

    @Test
    void leaseIsRenewedBeforeItEnds() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            try (PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofSeconds(2))) {
                assertThat(Eventually.holds(Duration.ofSeconds(20),
                        () -> igd.actions().stream().filter("AddPortMapping"::equals).count() >= 3)).isTrue();
                assertThat(mapping.external().getPort()).isEqualTo(4000);
            }
        }
    }

    @Test
    void descriptionUrlOutsideTheLocalNetworkIsRefusedWithoutContactingIt() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            igd.location = "http://198.51.100.7:5555/desc.xml";
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("refused description URL");
            assertThat(igd.calls).isEmpty();
        }
    }

    @Test
    void noAnswerToSsdpIsAClearErrorWithinTheDiscoveryTimeout() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            igd.silentSsdp = true;
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("no UPnP Internet Gateway Device answered");
        }
    }

    @Test
    void gatewayThatNeverAnswersHttpFailsAfterTheHttpTimeout() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            igd.hang = true;
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("no complete answer");
        }
    }

    @Test
    void malformedSoapAnswerIsAClearError() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            igd.soapOverride = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>";
            assertThatThrownBy(() -> mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1)))
                    .isInstanceOf(NatException.class).hasMessageContaining("malformed");
        }
    }

    @Test
    void autoFallsBackToUpnpWhenTheGatewayHasNoPcpServer() throws Exception {
        int closedPort;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
            closedPort = probe.getLocalPort();
        }
        try (FakeIgd igd = new FakeIgd();
                PortMapper mapper = PortMappers.auto(PortMapperOptions.defaults()
                        .withGateway(java.net.InetAddress.getLoopbackAddress())
                        .withGatewayPort(closedPort)
                        .withSsdpTarget(igd.ssdpAddress())
                        .withDiscoveryTimeout(Duration.ofSeconds(2)))) {
            try (PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1))) {
                assertThat(mapping.protocol()).isEqualTo(MappingProtocol.UPNP);
                assertThat(mapper.protocol()).isEqualTo(MappingProtocol.UPNP);
            }
            assertThat(igd.mappings).isEmpty();
        }
    }

    @Test
    void leaseLongerThanAWeekIsCutToTheIgd2Maximum() throws Exception {
        try (FakeIgd igd = new FakeIgd(); PortMapper mapper = mapper(igd)) {
            try (PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofDays(30))) {
                assertThat(mapping.lifetime()).isEqualTo(Duration.ofDays(7));
                assertThat(igd.calls).contains("AddPortMapping 4000 604800");
            }
        }
    }

    @Test
    void closingTheMapperStopsJupnpAndHttpClientThreads() throws Exception {
        try (FakeIgd igd = new FakeIgd()) {
            PortMapper mapper = mapper(igd);
            mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1));
            assertThat(upnpThreads()).isPositive();
            mapper.close();
            assertThat(igd.mappings).isEmpty();
            assertThat(Eventually.holds(Duration.ofSeconds(20), () -> upnpThreads() == 0)).isTrue();
        }
    }

    /**
     * jupnp's pool threads (jupnp-N-M: datagram receiver, registry maintenance, protocols) and the JDK
     * HttpClient's selector manager (HttpClient-N-SelectorManager) under its StreamClient.
     */
    private static long upnpThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> (t.getName().startsWith("HttpClient-") || t.getName().startsWith("jupnp-")
                        || t.getName().startsWith("Upnp Service")) && t.isAlive()).count();
    }

    @Test
    void aMappingThatARestartedIgdLostIsAddedAgainAtTheNextCheck() throws Exception {
        try (FakeIgd igd = new FakeIgd();
                PortMapper mapper = PortMappers.of(MappingProtocol.UPNP, PortMapperOptions.defaults()
                        .withSsdpTarget(igd.ssdpAddress())
                        .withDiscoveryTimeout(Duration.ofSeconds(2))
                        .withHttpTimeout(Duration.ofSeconds(2))
                        .withCheckInterval(Duration.ofMillis(200)))) {
            PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1));
            int readBacks = (int) igd.actions().stream().filter(a -> a.equals("GetSpecificPortMappingEntry")).count();
            assertThat(Eventually.holds(Duration.ofSeconds(20), () -> igd.actions().stream()
                    .filter(a -> a.equals("GetSpecificPortMappingEntry")).count() > readBacks)).isTrue();
            synchronized (igd.mappings) {
                igd.mappings.clear(); // the IGD rebooted and forgot its table
            }
            assertThat(Eventually.holds(Duration.ofSeconds(20), () -> {
                synchronized (igd.mappings) {
                    return "127.0.0.1:4000".equals(igd.mappings.get("UDP/4000"));
                }
            })).isTrue();
            assertThat(igd.actions().stream().filter(a -> a.equals("AddPortMapping")).count()).isEqualTo(2);
            mapping.close();
            assertThat(igd.mappings).isEmpty();
        }
    }
}
