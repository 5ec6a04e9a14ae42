package io.crust.nat.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The sample packets of RFC 5769 ("Test Vectors for STUN"), sections 2.1 to 2.3, byte for byte.
 * Their padding bytes are 0x20 on purpose: a decoder must not care what padding holds.
 */
class Rfc5769VectorsTest {
    private static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TRANSACTION = hex("21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");

    /** Section 2.1: Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MI, FINGERPRINT. */
    static final byte[] SAMPLE_REQUEST = hex("""
            00 01 00 58   type Binding request, length 88
            21 12 a4 42   magic cookie
            b7 e7 a7 01 bc 34 d6 86 fa 87 df ae   transaction ID
            80 22 00 10   SOFTWARE, 16 bytes
            53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74   "STUN test client"
            00 24 00 04   PRIORITY
            6e 00 01 ff
            80 29 00 08   ICE-CONTROLLED
            93 2f f9 b1 51 26 3b 36
            00 06 00 09   USERNAME, 9 bytes
            65 76 74 6a 3a 68 36 76 59 20 20 20   "evtj:h6vY" + padding
            00 08 00 14   MESSAGE-INTEGRITY
            9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
            80 28 00 04   FINGERPRINT
            e5 7a 3b cf
            """);

    /** Section 2.2: success response with XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
    static final byte[] SAMPLE_IPV4_RESPONSE = hex("""
            01 01 00 3c   type Binding success, length 60
            21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b   SOFTWARE, 11 bytes
            74 65 73 74 20 76 65 63 74 6f 72 20   "test vector" + padding
            00 20 00 08   XOR-MAPPED-ADDRESS
            00 01 a1 47 e1 12 a6 43   family IPv4, X-Port, X-Address
            00 08 00 14   MESSAGE-INTEGRITY
            2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
            80 28 00 04   FINGERPRINT
            c0 7d 4c 96
            """);

    /** Section 2.3: success response with XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
    static final byte[] SAMPLE_IPV6_RESPONSE = hex("""
            01 01 00 48   type Binding success, length 72
            21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b
            74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 14   XOR-MAPPED-ADDRESS, 20 bytes
            00 02 a1 47   family IPv6, X-Port
            01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9   X-Address
            00 08 00 14
            a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
            80 28 00 04
            c8 fb 0b 4c
            """);

    @Test
    void sampleRequestDecodesWithItsAttributesAndValidIntegrityAndFingerprint() throws Exception {
        StunMessage m = StunMessage.decode(ByteBuffer.wrap(SAMPLE_REQUEST));

        assertThat(m.type()).isEqualTo(StunMessage.BINDING_REQUEST);
        assertThat(m.cookieAndId()).isEqualTo(TRANSACTION);
        assertThat(m.hasMagicCookie()).isTrue();
        assertThat(new String(m.attribute(StunAttribute.SOFTWARE), StandardCharsets.UTF_8)).isEqualTo("STUN test client");
        assertThat(new String(m.attribute(StunAttribute.USERNAME), StandardCharsets.UTF_8)).isEqualTo("evtj:h6vY");
        assertThat(ByteBuffer.wrap(m.attribute(StunAttribute.PRIORITY)).getInt()).isEqualTo(0x6e0001ff);
        assertThat(ByteBuffer.wrap(m.attribute(StunAttribute.ICE_CONTROLLED)).getLong()).isEqualTo(0x932ff9b151263b36L);
        assertThat(m.integrityValid(PASSWORD)).isTrue();
        assertThat(m.fingerprintValid()).isTrue();
    }

    @Test
    void sampleRequestFailsIntegrityWithAnotherPassword() throws Exception {
        StunMessage m = StunMessage.decode(ByteBuffer.wrap(SAMPLE_REQUEST));

        assertThat(m.integrityValid("VOkJxbRl1RmTxUk/WvJxBu".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void sampleIpv4ResponseCarriesTheXorMappedAddress() throws Exception {
        StunMessage m = StunMessage.decode(ByteBuffer.wrap(SAMPLE_IPV4_RESPONSE));

        assertThat(m.type()).isEqualTo(StunMessage.BINDING_SUCCESS);
        assertThat(StunAddress.decodeXor(m.attribute(StunAttribute.XOR_MAPPED_ADDRESS), m.cookieAndId()))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        assertThat(m.integrityValid(PASSWORD)).isTrue();
        assertThat(m.fingerprintValid()).isTrue();
    }

    @Test
    void sampleIpv6ResponseCarriesTheXorMappedAddress() throws Exception {
        StunMessage m = StunMessage.decode(ByteBuffer.wrap(SAMPLE_IPV6_RESPONSE));

        assertThat(StunAddress.decodeXor(m.attribute(StunAttribute.XOR_MAPPED_ADDRESS), m.cookieAndId()))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        assertThat(m.integrityValid(PASSWORD)).isTrue();
        assertThat(m.fingerprintValid()).isTrue();
    }

    @Test
    void xorAddressEncodingMatchesTheSampleBytes() throws Exception {
        byte[] v4 = StunAddress.encodeXor(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853), TRANSACTION);
        byte[] v6 = StunAddress.encodeXor(
                new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853), TRANSACTION);

        assertThat(v4).isEqualTo(hex("00 01 a1 47 e1 12 a6 43"));
        assertThat(v6).isEqualTo(hex("00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9"));
    }

    @Test
    void encodingTheSampleResponseWithZeroPaddingGivesTheSameAttributesAndValidChecks() throws Exception {
        // Our encoder pads with zeros where the RFC sample used spaces, so compare field by field.
        ByteBuffer encoded = StunMessage.builder(StunMessage.BINDING_SUCCESS, TRANSACTION)
                .add(StunAttribute.SOFTWARE, "test vector")
                .add(StunAttribute.XOR_MAPPED_ADDRESS, hex("00 01 a1 47 e1 12 a6 43"))
                .encode(PASSWORD, true);

        assertThat(encoded.remaining()).isEqualTo(SAMPLE_IPV4_RESPONSE.length);
        assertThat(HexFormat.of().formatHex(encoded.array(), 0, 4)).isEqualTo("0101003c");
        StunMessage m = StunMessage.decode(encoded);
        assertThat(m.integrityValid(PASSWORD)).isTrue();
        assertThat(m.fingerprintValid()).isTrue();
        assertThat(withoutChecks(m)).isEqualTo(withoutChecks(StunMessage.decode(ByteBuffer.wrap(SAMPLE_IPV4_RESPONSE))));
    }

    private static java.util.List<StunAttribute> withoutChecks(StunMessage m) {
        return m.attributes().stream()
                .filter(a -> a.type() != StunAttribute.MESSAGE_INTEGRITY && a.type() != StunAttribute.FINGERPRINT)
                .toList();
    }

    /** Hex digits from a text block; words that are not two hex digits (the comments) are skipped. */
    static byte[] hex(String text) {
        StringBuilder digits = new StringBuilder();
        for (String line : text.split("\n")) {
            for (String word : line.trim().split("\\s+")) {
                if (word.matches("[0-9a-f]{2}")) {
                    digits.append(word);
                } else if (!word.isEmpty()) {
                    break;
                }
            }
        }
        return HexFormat.of().parseHex(digits);
    }
}
