package io.crust.nat.pcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.MalformedReplyException;
import io.crust.nat.pcp.PcpMessages.Response;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PcpMessagesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] NONCE = HEX.parseHex("0102030405060708090a0b0c");

    /** A MAP success answer: 24-byte header, 36-byte MAP, no options. */
    private static final String MAP_SUCCESS =
            "02810000" + "00000e10" + "000003e8" + "000000000000000000000000"  // v2, R+MAP, result 0, 3600 s, epoch 1000
            + "0102030405060708090a0b0c"                                        // nonce
            + "11000000" + "0fa01389"                                           // UDP (17), internal 4000, external 5001
            + "00000000000000000000ffffcb007102";                               // ::ffff:203.0.113.2

    @Test
    void mapRequestMatchesTheRfcLayout() throws Exception {
        byte[] request = PcpMessages.mapRequest(InetAddress.getByName("192.168.1.2"), 7200, NONCE, IpProtocol.UDP,
                4000, 5000, null);
        assertThat(HEX.formatHex(request)).isEqualTo(
                "02010000" + "00001c20"                                      // version 2, MAP, lifetime 7200
                + "00000000000000000000ffffc0a80102"                         // client ::ffff:192.168.1.2
                + "0102030405060708090a0b0c"                                 // nonce
                + "11000000" + "0fa01388"                                    // UDP, internal 4000, suggested 5000
                + "00000000000000000000ffff00000000");                       // no preferred address: ::ffff:0.0.0.0
    }

    @Test
    void aPinholeRequestCarriesTheHostsIpv6AddressAndTheIpv6AllZerosSuggestion() throws Exception {
        byte[] request = PcpMessages.mapRequest(InetAddress.getByName("2001:db8:1::2"), 600, NONCE, IpProtocol.TCP,
                4000, 4000, PcpMessages.IPV6_ZERO);
        assertThat(HEX.formatHex(request)).isEqualTo(
                "02010000" + "00000258"                                      // version 2, MAP, lifetime 600
                + "20010db8000100000000000000000002"                         // client 2001:db8:1::2, as is
                + "0102030405060708090a0b0c"                                 // nonce
                + "06000000" + "0fa00fa0"                                    // TCP, internal 4000, suggested 4000
                + "00000000000000000000000000000000");                       // an IPv6 mapping, no preference: ::
    }

    @Test
    void aFirewallsAnswerGrantsTheHostsOwnIpv6AddressAsExternal() throws Exception {
        String answer = "02810000" + "00000258" + "000003e8" + "000000000000000000000000"
                + "0102030405060708090a0b0c" + "06000000" + "0fa00fa0" + "20010db8000100000000000000000002";
        Response r = PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex(answer)));
        assertThat(r.resultCode()).isZero();
        assertThat(r.externalAddress()).isEqualTo(InetAddress.getByName("2001:db8:1::2"));
        assertThat(r.externalPort()).isEqualTo(4000);
    }

    @Test
    void mapSuccessIsDecoded() throws Exception {
        Response r = PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex(MAP_SUCCESS)));
        assertThat(r.version()).isEqualTo(2);
        assertThat(r.resultCode()).isZero();
        assertThat(r.lifetimeSeconds()).isEqualTo(3600);
        assertThat(r.epochSeconds()).isEqualTo(1000);
        assertThat(r.nonce()).containsExactly(NONCE);
        assertThat(r.protocol()).isEqualTo(17);
        assertThat(r.internalPort()).isEqualTo(4000);
        assertThat(r.externalPort()).isEqualTo(5001);
        assertThat(r.externalAddress()).isEqualTo(InetAddress.getByName("203.0.113.2"));
    }

    @Test
    void wellFormedOptionsAreAccepted() throws Exception {
        // option 0x80 (optional range), length 3, padded to 4
        Response r = PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex(MAP_SUCCESS + "80000003" + "aabbcc00")));
        assertThat(r.externalPort()).isEqualTo(5001);
    }

    @Test
    void natPmpUnsupportedVersionMeansFallBack() throws Exception {
        Response r = PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex("0080000100000009")));
        assertThat(r.natPmpOnly()).isTrue();
    }

    @Test
    void pcpUnsupportedVersionReportsTheServersVersion() throws Exception {
        Response r = PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex("01810001" + "00000000" + "00000001" + "0".repeat(24))));
        assertThat(r.version()).isEqualTo(1);
        assertThat(r.resultCode()).isEqualTo(1);
        assertThat(r.natPmpOnly()).isFalse();
    }

    @Test
    void shortErrorAnswerCarriesOnlyTheResult() throws Exception {
        Response r = PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex("02810002" + "0000001e" + "00000001" + "0".repeat(24))));
        assertThat(r.resultCode()).isEqualTo(2);
        assertThat(r.nonce()).isNull();
        assertThat(PcpMessages.resultName(2)).isEqualTo("NOT_AUTHORIZED");
    }

    @Test
    void otherOpcodesAreNotOurs() throws Exception {
        // ANNOUNCE response (opcode 0)
        assertThat(PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex("02800000" + "00000000" + "00000001" + "0".repeat(24))))).isNull();
    }

    @Test
    void malformedAnswersAreRejectedWithReasons() {
        assertThatThrownBy(() -> PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex("0281000000000000"))))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex(MAP_SUCCESS + "00"))))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("multiple of 4");
        assertThatThrownBy(() -> PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex("02010000" + MAP_SUCCESS.substring(8)))))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("R bit");
        assertThatThrownBy(() -> PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex(MAP_SUCCESS + "80000009" + "00000000"))))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> PcpMessages.decodeMap(ByteBuffer.wrap(HEX.parseHex(MAP_SUCCESS.substring(0, 96)))))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("lacks the MAP fields");
        assertThatThrownBy(() -> PcpMessages.decodeMap(ByteBuffer.wrap(new byte[1104])))
                .isInstanceOf(MalformedReplyException.class);
    }

    @Test
    void ipv4AddressesTravelIpv4Mapped() throws Exception {
        byte[] mapped = PcpMessages.address128(InetAddress.getByName("10.0.0.1"));
        assertThat(HEX.formatHex(mapped)).isEqualTo("00000000000000000000ffff0a000001");
        assertThat(PcpMessages.address(mapped)).isEqualTo(InetAddress.getByName("10.0.0.1"));
    }

    /** Seeded mutation fuzzing: whatever arrives, the decoder returns or throws MalformedReplyException. */
    @Test
    void mutatedAnswersNeverEscapeAsAnythingButMalformedReplyException() {
        long seed = Long.getLong("crust.test.seed", 6887L);
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] seeds = {HEX.parseHex(MAP_SUCCESS), HEX.parseHex(MAP_SUCCESS + "80000003aabbcc00"),
            HEX.parseHex("0080000100000009")};
        for (int i = 0; i < 50_000; i++) {
            byte[] original = seeds[random.nextInt(seeds.length)];
            byte[] packet = original.clone();
            switch (random.nextInt(4)) {
                case 0 -> packet[random.nextInt(packet.length)] = (byte) random.nextInt(256);
                case 1 -> packet = Arrays.copyOf(packet, random.nextInt(packet.length + 1));
                case 2 -> packet = Arrays.copyOf(packet, packet.length + 4 * (1 + random.nextInt(8)));
                default -> packet[random.nextInt(Math.min(4, packet.length))] ^= (byte) (1 << random.nextInt(8));
            }
            try {
                PcpMessages.decodeMap(ByteBuffer.wrap(packet));
            } catch (MalformedReplyException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " iteration " + i + ": " + HEX.formatHex(packet), e);
            }
        }
    }

    @Test
    void announceRequestIsTheBareHeaderWithLifetimeZero() throws Exception {
        byte[] request = PcpMessages.announceRequest(InetAddress.getByName("192.168.1.2"));
        assertThat(HEX.formatHex(request)).isEqualTo(
                "02000000" + "00000000"                                      // version 2, ANNOUNCE (0), lifetime 0
                + "00000000000000000000ffffc0a80102");                       // client ::ffff:192.168.1.2
    }

    @Test
    void announceAnswersAreDecodedWithTheirEpoch() throws Exception {
        PcpMessages.Announce ok = PcpMessages.decodeAnnounce(ByteBuffer.wrap(HEX.parseHex(
                "02800000" + "00000000" + "0000002a" + "000000000000000000000000"))); // R+ANNOUNCE, result 0, epoch 42
        assertThat(ok).isEqualTo(new PcpMessages.Announce(0, 42));
        PcpMessages.Announce unsupported = PcpMessages.decodeAnnounce(ByteBuffer.wrap(HEX.parseHex(
                "02800004" + "00000000" + "00000007" + "000000000000000000000000"))); // UNSUPP_OPCODE still has the epoch
        assertThat(unsupported).isEqualTo(new PcpMessages.Announce(4, 7));
        assertThat(PcpMessages.decodeAnnounce(ByteBuffer.wrap(HEX.parseHex(MAP_SUCCESS)))).as("a MAP answer").isNull();
    }

    @Test
    void malformedAnnounceAnswersAreRefused() {
        String header = "02800000" + "00000000" + "0000002a" + "000000000000000000000000";
        for (String bad : new String[] {
                header.substring(0, 40),                                    // 20 bytes: shorter than the header
                header + "00",                                              // not a multiple of 4
                "00800000" + header.substring(8),                           // version 0
                "03800000" + header.substring(8),                           // version 3
                "02000000" + header.substring(8),                           // no R bit: a request
                header + "00000000",                                        // option code 0 (reserved)
                header + "80000008" + "aabbccdd",                           // option runs past the end
                "02800000" + "00000000" + "0000002a" + "0".repeat(24) + "0".repeat(2200 - 48)}) { // over 1100 bytes
            assertThatThrownBy(() -> PcpMessages.decodeAnnounce(ByteBuffer.wrap(HEX.parseHex(bad))))
                    .as(bad.length() > 80 ? bad.substring(0, 80) + "..." : bad)
                    .isInstanceOf(MalformedReplyException.class);
        }
    }
}
