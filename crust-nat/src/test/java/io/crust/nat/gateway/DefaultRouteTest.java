package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.NatException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultRouteTest {
    private static final String HEADER =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

    @Test
    void defaultRouteGatewayIsReadInHostByteOrder() throws Exception {
        List<String> table = List.of(HEADER,
                "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
                "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0");
        assertThat(DefaultRoute.parse(table)).isEqualTo(InetAddress.getByName("192.168.1.1"));
    }

    @Test
    void lowestMetricDefaultRouteWins() throws Exception {
        List<String> table = List.of(HEADER,
                "wlan0\t00000000\t0100000A\t0003\t0\t0\t600\t00000000\t0\t0\t0",
                "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0");
        assertThat(DefaultRoute.parse(table)).isEqualTo(InetAddress.getByName("192.168.1.1"));
    }

    @Test
    void tableWithoutDefaultRouteIsAClearError() {
        List<String> table = List.of(HEADER, "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0",
                "garbage line", "eth0\tZZZZ\t0101A8C0\t0003\t0\t0\t1\t00000000");
        assertThatThrownBy(() -> DefaultRoute.parse(table)).isInstanceOf(NatException.class)
                .hasMessageContaining("no IPv4 default route").hasMessageContaining("openPinhole");
    }

    @Test
    void thisMachinesRouteTableParsesOrSaysWhy() {
        try {
            assertThat(DefaultRoute.gateway()).isNotNull();
        } catch (NatException e) {
            assertThat(e).hasMessageContaining("/proc/net/route");
        }
    }
}
