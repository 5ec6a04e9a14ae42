package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.NatException;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ipv6GatewayTest {
    private static final String LINK_LOCAL_ROUTE =
            "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80000000000000021122fffe334455 00000400 00000002 00000000 00000003     eth0";
    private static final String PREFIX_ROUTE =
            "20010db8000100000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0";

    @Test
    void theDefaultRoutesNextHopAndDeviceAreRead() throws Exception {
        Ipv6Gateway.Route route = Ipv6Gateway.parse(List.of(PREFIX_ROUTE, LINK_LOCAL_ROUTE));
        assertThat(HexFormat.of().formatHex(route.nextHop())).isEqualTo("fe80000000000000021122fffe334455");
        assertThat(route.device()).isEqualTo("eth0");
    }

    @Test
    void theLowestMetricDefaultRouteWins() throws Exception {
        String wlan = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000600 00000001 00000000 00000003    wlan0";
        assertThat(Ipv6Gateway.parse(List.of(wlan, LINK_LOCAL_ROUTE)).device()).isEqualTo("eth0");
    }

    @Test
    void aTableWithoutADefaultRouteIsAClearError() {
        String unreachableDefault =
                "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo";
        assertThatThrownBy(() -> Ipv6Gateway.parse(List.of(PREFIX_ROUTE, unreachableDefault, "garbage", "")))
                .isInstanceOf(NatException.class).hasMessageContaining("no IPv6 default route");
    }

    @Test
    void onlyAddressesIn2000Slash3AreGlobal() throws Exception {
        assertThat(Ipv6Gateway.isGlobal(InetAddress.getByName("2001:db8:1::2"))).isTrue();
        assertThat(Ipv6Gateway.isGlobal(InetAddress.getByName("fd00:1::2"))).isFalse();
        assertThat(Ipv6Gateway.isGlobal(InetAddress.getByName("fe80::1"))).isFalse();
        assertThat(Ipv6Gateway.isGlobal(InetAddress.getByName("203.0.113.2"))).isFalse();
    }
}
