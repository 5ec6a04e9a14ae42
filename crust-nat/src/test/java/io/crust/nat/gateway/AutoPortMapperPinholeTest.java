package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.IpProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMappers;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code PortMappers.auto}'s pinholes where no protocol can give one: both are tried, in order, and both say why. */
@Timeout(60)
class AutoPortMapperPinholeTest {

    @Test
    void withNoIpv6GatewayBothProtocolsAreTriedAndTheErrorNamesEach() throws Exception {
        // a loopback "gateway" has no global IPv6 address facing it, and a silent SSDP target finds no IGD
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            PortMapperOptions options = PortMapperOptions.defaults()
                    .withGateway(InetAddress.getByName("::1"))
                    .withSsdpTarget(new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort()))
                    .withDiscoveryTimeout(Duration.ofMillis(300))
                    .withAnnouncementPort(0);
            try (PortMapper mapper = PortMappers.auto(options)) {
                assertThatThrownBy(() -> mapper.openPinhole(IpProtocol.UDP, 4000, Duration.ofMinutes(1)))
                        .isInstanceOf(NatException.class)
                        .hasMessageStartingWith("no protocol worked for the IPv6 pinhole (pcp: ")
                        .hasMessageContaining("no global IPv6 address")
                        .hasMessageContaining("; upnp: ");
                assertThat(mapper.protocol()).isNull();
            }
        }
    }
}
