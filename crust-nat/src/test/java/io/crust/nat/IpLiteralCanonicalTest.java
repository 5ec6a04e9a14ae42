package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link IpLiteral#canonical}: RFC 5952 section 4 text, the form gateways compare addresses in. */
class IpLiteralCanonicalTest {

    @Test
    void theLongestRunOfZeroGroupsBecomesADoubleColonAndLeadingZerosGo() {
        assertThat(canonical("2001:0db8:0001:0000:0000:0000:0000:0002")).isEqualTo("2001:db8:1::2");
        assertThat(canonical("2001:db8:0:0:1:0:0:0")).isEqualTo("2001:db8:0:0:1::");
        assertThat(canonical("0:0:0:0:0:0:0:0")).isEqualTo("::");
        assertThat(canonical("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(canonical("FE80:0:0:0:ABCD:0:0:1")).isEqualTo("fe80::abcd:0:0:1");
    }

    @Test
    void ofTwoEqualRunsTheFirstIsShortenedAndALoneZeroGroupStays() {
        assertThat(canonical("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(canonical("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
    }

    @Test
    void ipv4IsDotted() {
        assertThat(canonical("203.0.113.2")).isEqualTo("203.0.113.2");
    }

    @Test
    void theCanonicalTextOfRandomAddressesParsesBackToTheSameAddress() throws Exception {
        SplittableRandom random = new SplittableRandom(5952);
        for (int n = 0; n < 10_000; n++) {
            byte[] b = new byte[16];
            for (int i = 0; i < 16; i += 2) {
                if (random.nextInt(3) > 0) { // many zero groups, so runs of every length come up
                    b[i] = (byte) random.nextInt(256);
                    b[i + 1] = (byte) random.nextInt(256);
                }
            }
            InetAddress address = InetAddress.getByAddress(b);
            String text = IpLiteral.canonical(address);
            assertThat(IpLiteral.parse(text)).as(text).isEqualTo(address);
            assertThat(text).as("lower case, one :: at most").isEqualTo(text.toLowerCase()).doesNotContain(":::");
            assertThat(text.indexOf("::")).isEqualTo(text.lastIndexOf("::"));
        }
    }

    private static String canonical(String literal) {
        return IpLiteral.canonical(IpLiteral.parse(literal));
    }
}
