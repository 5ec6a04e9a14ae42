package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressKindsTest {

    @Test
    void privateAndSharedAddressesMeanDoubleNat() throws Exception {
        for (String a : new String[] {"10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.1.1"}) {
            assertThat(AddressKinds.isPrivate(InetAddress.getByName(a))).as(a).isTrue();
        }
        for (String a : new String[] {"203.0.113.2", "100.128.0.1", "8.8.8.8", "172.32.0.1"}) {
            assertThat(AddressKinds.isPrivate(InetAddress.getByName(a))).as(a).isFalse();
        }
    }

    @Test
    void subnetComparisonHonoursThePrefixBits() throws Exception {
        InetAddress a = InetAddress.getByName("192.168.1.130");
        assertThat(AddressKinds.sameSubnet(a, InetAddress.getByName("192.168.1.1"), 24)).isTrue();
        assertThat(AddressKinds.sameSubnet(a, InetAddress.getByName("192.168.1.1"), 25)).isFalse();
        assertThat(AddressKinds.sameSubnet(a, InetAddress.getByName("192.168.2.1"), 23)).isFalse();
        assertThat(AddressKinds.sameSubnet(a, InetAddress.getByName("::1"), 8)).isFalse();
    }

    @Test
    void loopbackIsOnALocalSubnetAndADocumentationAddressIsNot() throws Exception {
        assertThat(AddressKinds.isOnLocalSubnet(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(AddressKinds.isOnLocalSubnet(InetAddress.getByName("198.51.100.77"))).isFalse();
    }
}
