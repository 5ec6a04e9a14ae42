package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void ipv4LiteralsBecomeTheirFourBytes() {
        assertThat(IpLiteral.parse("192.0.2.1").getAddress()).containsExactly(192, 0, 2, 1);
        assertThat(IpLiteral.parse("0.0.0.0").getAddress()).containsExactly(0, 0, 0, 0);
        assertThat(IpLiteral.parse("255.255.255.255").getAddress()).containsExactly(255, 255, 255, 255);
    }

    @Test
    void ipv6LiteralsInEveryRfc4291FormBecomeTheirSixteenBytes() {
        assertThat(bytes("2001:db8:0:0:8:800:200c:417a")).isEqualTo(bytes("2001:DB8::8:800:200C:417A"));
        assertThat(IpLiteral.parse("::").getAddress()).hasSize(16).containsOnly(0);
        assertThat(IpLiteral.parse("::1").isLoopbackAddress()).isTrue();
        assertThat(bytes("::13.1.68.3")).isEqualTo(bytes("::d01:4403"));
        assertThat(bytes("fe80::")[0]).isEqualTo((byte) 0xfe);
        assertThat(IpLiteral.parse("2001:db8::1")).isInstanceOf(Inet6Address.class);
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4Address() {
        assertThat(IpLiteral.parse("::ffff:192.0.2.1")).isInstanceOf(Inet4Address.class)
                .isEqualTo(IpLiteral.parse("192.0.2.1"));
    }

    @Test
    void aNumericZoneBecomesTheScopeId() {
        Inet6Address scoped = (Inet6Address) IpLiteral.parse("fe80::1%3");
        assertThat(scoped.getScopeId()).isEqualTo(3);
        assertThatThrownBy(() -> IpLiteral.parse("fe80::1%eth0")).hasMessageContaining("zone");
    }

    @Test
    void malformedLiteralsAreRefusedSayingWhy() {
        assertThatThrownBy(() -> IpLiteral.parse("1.2.3")).hasMessageContaining("four numbers");
        assertThatThrownBy(() -> IpLiteral.parse("1.2.3.4.5")).hasMessageContaining("four numbers");
        assertThatThrownBy(() -> IpLiteral.parse("1.2.3.256")).hasMessageContaining("256 is over 255");
        assertThatThrownBy(() -> IpLiteral.parse("010.0.0.1")).hasMessageContaining("leading zero");
        assertThatThrownBy(() -> IpLiteral.parse("1..2.3")).hasMessageContaining("one to three digits");
        assertThatThrownBy(() -> IpLiteral.parse("cafe")).hasMessageContaining("not a digit");
        assertThatThrownBy(() -> IpLiteral.parse("1::2::3")).hasMessageContaining("at most one '::'");
        assertThatThrownBy(() -> IpLiteral.parse("1:2:3:4:5:6:7")).hasMessageContaining("eight groups");
        assertThatThrownBy(() -> IpLiteral.parse("1:2:3:4:5:6:7:8:9")).hasMessageContaining("too many groups");
        assertThatThrownBy(() -> IpLiteral.parse("1:2:3:4::5:6:7:8")).hasMessageContaining("at least one group");
        assertThatThrownBy(() -> IpLiteral.parse("12345::")).hasMessageContaining("one to four hex digits");
        assertThatThrownBy(() -> IpLiteral.parse("g::")).hasMessageContaining("not a hex digit");
        assertThatThrownBy(() -> IpLiteral.parse("[::1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpLiteral.parse("")).hasMessageContaining("nothing");
        assertThatThrownBy(() -> IpLiteral.parse("1".repeat(1000))).hasMessageContaining("too long");
    }

    @Test
    void hostPortReadsIpv4Ipv6AndNames() {
        assertThat(HostPort.parse("192.0.2.1:5483")).isEqualTo(new HostPort("192.0.2.1", 5483));
        assertThat(HostPort.parse("[2001:db8::1]:5483")).isEqualTo(new HostPort("2001:db8::1", 5483));
        assertThat(HostPort.parse("peer.example.org:80")).isEqualTo(new HostPort("peer.example.org", 80));
        assertThat(HostPort.parse("peer.example.org:80").isLiteral()).isFalse();
        assertThat(HostPort.parse("[2001:db8::1]:5483")).hasToString("[2001:db8::1]:5483");
    }

    @Test
    void hostPortRefusesMalformedTextSayingWhy() {
        assertThatThrownBy(() -> HostPort.parse("2001:db8::1:5483")).hasMessageContaining("needs brackets");
        assertThatThrownBy(() -> HostPort.parse("192.0.2.1")).hasMessageContaining("no port");
        assertThatThrownBy(() -> HostPort.parse("192.0.2.1:0")).hasMessageContaining("outside 1..65535");
        assertThatThrownBy(() -> HostPort.parse("192.0.2.1:65536")).hasMessageContaining("outside 1..65535");
        assertThatThrownBy(() -> HostPort.parse("192.0.2.1:+80")).hasMessageContaining("no numeric port");
        assertThatThrownBy(() -> HostPort.parse(":80")).hasMessageContaining("no host");
        assertThatThrownBy(() -> HostPort.parse("[192.0.2.1]:80")).hasMessageContaining("IPv6 addresses only");
        assertThatThrownBy(() -> HostPort.parse("[::1:80")).hasMessageContaining("[IPv6]:PORT");
        assertThatThrownBy(() -> HostPort.parse("1.2.3.256:80")).hasMessageContaining("256 is over 255");
        assertThatThrownBy(() -> HostPort.parse("bad_name:80")).hasMessageContaining("neither an IP address nor a host name");
        assertThatThrownBy(() -> HostPort.literal("peer.example.org:80")).hasMessageContaining("is a name");
    }

    private static byte[] bytes(String literal) {
        return IpLiteral.parse(literal).getAddress();
    }
}
