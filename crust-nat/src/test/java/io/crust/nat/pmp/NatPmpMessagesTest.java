package io.crust.nat.pmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.MalformedReplyException;
import io.crust.nat.pmp.NatPmpMessages.ExternalAddressResponse;
import io.crust.nat.pmp.NatPmpMessages.MapResponse;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NatPmpMessagesTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void externalAddressRequestIsVersionZeroOpcodeZero() {
        assertThat(NatPmpMessages.externalAddressRequest()).containsExactly(0, 0);
    }

    @Test
    void udpMapRequestMatchesTheRfcLayout() {
        assertThat(NatPmpMessages.mapRequest(IpProtocol.UDP, 4000, 5000, 7200)).containsExactly(bytes(
                0x00, 0x01, 0x00, 0x00,     // version 0, OP 1 = UDP, reserved
                0x0f, 0xa0, 0x13, 0x88,     // internal port 4000, suggested external port 5000
                0x00, 0x00, 0x1c, 0x20));   // lifetime 7200 s
    }

    @Test
    void tcpDeletionHasLifetimeAndSuggestedPortZero() {
        assertThat(NatPmpMessages.mapRequest(IpProtocol.TCP, 80, 0, 0)).containsExactly(bytes(
                0x00, 0x02, 0x00, 0x00,     // version 0, OP 2 = TCP
                0x00, 0x50, 0x00, 0x00,     // internal port 80, external 0
                0x00, 0x00, 0x00, 0x00));   // lifetime 0 deletes
    }

    @Test
    void externalAddressResponseIsDecoded() throws Exception {
        ExternalAddressResponse r = NatPmpMessages.decodeExternalAddress(ByteBuffer.wrap(bytes(
                0x00, 0x80, 0x00, 0x00,     // version 0, OP 128, result 0
                0x00, 0x00, 0x03, 0xe8,     // epoch 1000 s
                203, 0, 113, 2)));          // external 203.0.113.2
        assertThat(r).isEqualTo(new ExternalAddressResponse(0, 1000, (java.net.Inet4Address) InetAddress.getByName("203.0.113.2")));
    }

    @Test
    void mapResponseIsDecoded() throws Exception {
        MapResponse r = NatPmpMessages.decodeMap(ByteBuffer.wrap(bytes(
                0x00, 0x81, 0x00, 0x00,     // version 0, OP 129 (UDP response), result 0
                0x00, 0x01, 0x00, 0x00,     // epoch 65536 s
                0x0f, 0xa0, 0x13, 0x89,     // internal 4000, mapped external 5001
                0x00, 0x00, 0x0e, 0x10)), IpProtocol.UDP);  // lifetime 3600
        assertThat(r).isEqualTo(new MapResponse(1, 0, 65536, 4000, 5001, 3600));
    }

    @Test
    void errorResponseMayStopAfterTheEpoch() throws Exception {
        MapResponse r = NatPmpMessages.decodeMap(ByteBuffer.wrap(bytes(0, 0x82, 0, 2, 0, 0, 0, 9)), IpProtocol.TCP);
        assertThat(r.resultCode()).isEqualTo(2);
        assertThat(NatPmpMessages.resultName(r.resultCode())).isEqualTo("Not Authorized/Refused");
    }

    @Test
    void unsupportedVersionWithOpcode128AnswersAnyRequest() throws Exception {
        MapResponse r = NatPmpMessages.decodeMap(ByteBuffer.wrap(bytes(0, 0x80, 0, 1, 0, 0, 0, 9)), IpProtocol.UDP);
        assertThat(r.resultCode()).isEqualTo(1);
    }

    @Test
    void responseToAnotherOpcodeIsNotOurs() throws Exception {
        byte[] tcp = bytes(0, 0x82, 0, 0, 0, 0, 0, 1, 0, 80, 0, 80, 0, 0, 0, 60);
        assertThat(NatPmpMessages.decodeMap(ByteBuffer.wrap(tcp), IpProtocol.UDP)).isNull();
    }

    @Test
    void malformedResponsesAreRejectedWithReasons() {
        assertThatThrownBy(() -> NatPmpMessages.decodeMap(ByteBuffer.wrap(bytes(0, 0x81, 0)), IpProtocol.UDP))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> NatPmpMessages.decodeMap(ByteBuffer.wrap(new byte[17]), IpProtocol.UDP))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("too long");
        assertThatThrownBy(() -> NatPmpMessages.decodeMap(ByteBuffer.wrap(bytes(1, 0x81, 0, 0, 0, 0, 0, 0)), IpProtocol.UDP))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("version 1");
        assertThatThrownBy(() -> NatPmpMessages.decodeMap(ByteBuffer.wrap(bytes(0, 0x01, 0, 0, 0, 0, 0, 0)), IpProtocol.UDP))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("request");
        assertThatThrownBy(() -> NatPmpMessages.decodeMap(ByteBuffer.wrap(bytes(0, 0x81, 0, 0, 0, 0, 0, 0, 0, 1)), IpProtocol.UDP))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("must be 16 bytes");
        assertThatThrownBy(() -> NatPmpMessages.decodeExternalAddress(ByteBuffer.wrap(bytes(0, 0x80, 0, 0, 0, 0, 0, 0, 1))))
                .isInstanceOf(MalformedReplyException.class).hasMessageContaining("must be 12 bytes");
    }

    /** Seeded mutation fuzzing: whatever arrives, the decoders return or throw MalformedReplyException. */
    @Test
    void mutatedResponsesNeverEscapeAsAnythingButMalformedReplyException() {
        long seed = Long.getLong("crust.test.seed", 6886L);
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] seeds = {
            bytes(0, 0x80, 0, 0, 0, 0, 3, 0xe8, 203, 0, 113, 2),
            bytes(0, 0x81, 0, 0, 0, 1, 0, 0, 0x0f, 0xa0, 0x13, 0x89, 0, 0, 0x0e, 0x10),
            bytes(0, 0x80, 0, 1, 0, 0, 0, 9)};
        for (int i = 0; i < 50_000; i++) {
            byte[] packet = mutate(seeds[random.nextInt(seeds.length)], random);
            try {
                NatPmpMessages.decodeExternalAddress(ByteBuffer.wrap(packet));
                NatPmpMessages.decodeMap(ByteBuffer.wrap(packet), IpProtocol.UDP);
                NatPmpMessages.decodeMap(ByteBuffer.wrap(packet), IpProtocol.TCP);
            } catch (MalformedReplyException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " iteration " + i + ": " + Arrays.toString(packet), e);
            }
        }
    }

    static byte[] mutate(byte[] original, SplittableRandom random) {
        byte[] p = original.clone();
        switch (random.nextInt(4)) {
            case 0 -> p[random.nextInt(p.length)] = (byte) random.nextInt(256);
            case 1 -> p = Arrays.copyOf(p, random.nextInt(p.length + 1));
            case 2 -> p = Arrays.copyOf(p, p.length + 1 + random.nextInt(40));
            default -> {
                for (int k = 0; k < 3; k++) {
                    p[random.nextInt(p.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
        }
        return p;
    }
}
