package io.crust.udt.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.udt.window.RangeSet;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Golden bytes for every packet and frame, annotated field by field. */
class PacketCodecTest {
    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", "").replace("|", ""));
    }

    private static byte[] encoded(java.util.function.Consumer<ByteBuffer> encoder) {
        ByteBuffer b = ByteBuffer.allocate(2000);
        encoder.accept(b);
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void initialPacketIsPaddedTo1200BytesAndRoundTrips() throws Exception {
        byte[] cookie = bytes("000102030405060708090a0b0c0d0e0f");
        byte[] wire = encoded(new InitialPacket(1, true, 0x0102030405060708L, cookie)::encodeTo);
        byte[] head = bytes(
                "d0 | 01 | 01 | 10"             // type INITIAL, version 1, flags rendezvous, cookie length 16
                + "0102030405060708"            // source connection id
                + "000102030405060708090a0b0c0d0e0f"); // cookie
        assertThat(Arrays.copyOf(wire, head.length)).isEqualTo(head);
        assertThat(wire).hasSize(1200);
        assertThat(Arrays.copyOfRange(wire, head.length, wire.length)).containsOnly(0);
        InitialPacket back = InitialPacket.decode(ByteBuffer.wrap(wire));
        assertThat(back.sourceConnectionId()).isEqualTo(0x0102030405060708L);
        assertThat(back.rendezvous()).isTrue();
        assertThat(back.cookie()).isEqualTo(cookie);
    }

    @Test
    void initialShorterThan1200BytesIsRefused() {
        byte[] wire = encoded(new InitialPacket(1, false, 5, new byte[0])::encodeTo);
        assertThatThrownBy(() -> InitialPacket.decode(ByteBuffer.wrap(wire, 0, 1199)))
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void retryAcceptAndVersionPacketsMatchTheirDiagrams() throws Exception {
        byte[] cookie = bytes("ffeeddccbbaa99887766554433221100");
        assertThat(encoded(new RetryPacket(1, 0x0AL, cookie)::encodeTo)).isEqualTo(bytes(
                "d1 | 01 | 00 | 10"             // RETRY, version 1, reserved, cookie length 16
                + "000000000000000a"            // destination connection id (the client's)
                + "ffeeddccbbaa99887766554433221100"));
        assertThat(encoded(new AcceptPacket(1, 0x0AL, 0x0BL)::encodeTo)).isEqualTo(bytes(
                "d2 | 01 | 0000"                // ACCEPT, version 1, reserved
                + "000000000000000a"            // destination: the client's id
                + "000000000000000b"));         // source: the server's id
        assertThat(encoded(new VersionPacket(0x0AL, new byte[] {1})::encodeTo)).isEqualTo(bytes(
                "d3 | 0000 | 01"                // VERSION, reserved, one version
                + "000000000000000a"            // destination: the client's id
                + "01"));                       // version 1
        RetryPacket retry = RetryPacket.decode(ByteBuffer.wrap(encoded(new RetryPacket(1, 0x0AL, cookie)::encodeTo)));
        assertThat(retry.cookie()).isEqualTo(cookie);
        assertThat(AcceptPacket.decode(ByteBuffer.wrap(encoded(new AcceptPacket(1, 0x0AL, 0x0BL)::encodeTo))))
                .isEqualTo(new AcceptPacket(1, 0x0AL, 0x0BL));
    }

    @Test
    void dataPacketWithAckAndStreamFramesMatchesItsDiagram() throws Exception {
        RangeSet received = new RangeSet(8);
        received.add(100, 106);   // 100..105
        received.add(108, 111);   // 108..110
        byte[] wire = encoded(b -> {
            DataHeader.encode(b, 0x0AL, 7);
            AckFrame.encode(b, received, 32, 250, 1 << 20);
            Frames.encodeStreamHeader(b, 4096, 3, true);
            b.put(new byte[] {'a', 'b', 'c'});
        });
        assertThat(wire).isEqualTo(bytes(
                "d4" + "000000000000000a" + "0000000000000007"   // DATA, destination id, packet number 7
                + "02" + "000000000000006e"                      // ACK, largest acknowledged 110
                + "000000fa"                                     // ACK delay 250 us
                + "0000000000100000"                             // receive limit 1 MiB
                + "02" + "00000002"                              // 2 ranges; first covers 108..110
                + "00000001" + "00000005"                        // gap 1 (106, 107 missing), then 100..105
                + "03" + "01" + "0000000000001000" + "0003"      // STREAM, FIN, offset 4096, length 3
                + "616263"));                                    // "abc"
        ByteBuffer in = ByteBuffer.wrap(wire);
        assertThat(DataHeader.decode(in)).isEqualTo(7);
        assertThat(in.get()).isEqualTo((byte) Frames.ACK);
        AckFrame ack = AckFrame.decode(in);
        assertThat(ack.ranges()).containsExactly(108, 110, 100, 105);
        assertThat(ack.receiveLimit()).isEqualTo(1 << 20);
        assertThat(in.get()).isEqualTo((byte) Frames.STREAM);
        Frames.Stream stream = Frames.decodeStream(in);
        assertThat(stream).isEqualTo(new Frames.Stream(4096, 3, true, wire.length - 3));
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void ackRangeReachingBelowZeroIsRefused() {
        byte[] frame = bytes("0000000000000002" + "00000000" + "0000000000000000" + "01" + "00000005");
        assertThatThrownBy(() -> AckFrame.decode(ByteBuffer.wrap(frame))).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void streamFrameLongerThanTheDatagramIsRefused() {
        byte[] frame = bytes("00" + "0000000000000000" + "0010" + "aabb");
        assertThatThrownBy(() -> Frames.decodeStream(ByteBuffer.wrap(frame))).isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void firstBytesStayClearOfStunAndTheOtherRfc7983Ranges() {
        for (int type = 0; type < 16; type++) {
            int first = PacketType.MARKER | type;
            assertThat(first).isBetween(208, 223);
            assertThat(PacketType.isCrustUdt(first)).isTrue();
        }
        for (int first : new int[] {0, 1, 2, 3, 16, 19, 20, 63, 64, 79, 127, 128, 191}) {
            assertThat(PacketType.isCrustUdt(first)).isFalse();
        }
    }

    @Test
    void ackFrequencyFrameMatchesItsDiagramAndOutOfRangeFieldsAreRefused() throws Exception {
        byte[] wire = encoded(out -> Frames.encodeAckFrequency(out, 7, 16, 250));
        assertThat(wire).isEqualTo(bytes(
                "05"                            // ACK_FREQUENCY
                + "00000007"                    // sequence number
                + "0010"                        // threshold: 16 packets
                + "000000fa"));                 // max ack delay: 250 us
        ByteBuffer in = ByteBuffer.wrap(wire, 1, wire.length - 1);
        assertThat(Frames.decodeAckFrequency(in)).isEqualTo(new Frames.AckFrequency(7, 16, 250));
        byte[] zeroThreshold = bytes("05 00000001 0000 00000001");
        assertThatThrownBy(() -> Frames.decodeAckFrequency(ByteBuffer.wrap(zeroThreshold, 1, 10)))
                .isInstanceOf(MalformedPacketException.class);
        byte[] hugeDelay = bytes("05 00000001 0002 7fffffff");
        assertThatThrownBy(() -> Frames.decodeAckFrequency(ByteBuffer.wrap(hugeDelay, 1, 10)))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> Frames.decodeAckFrequency(ByteBuffer.wrap(wire, 1, 9)))
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void pathChallengeAndResponseMatchTheirDiagramsAndZeroOrTruncatedDataIsRefused() throws Exception {
        ByteBuffer packet = ByteBuffer.allocate(64);
        DataHeader.encode(packet, 0x0AL, 0x2AL);
        PathFrames.encodeChallenge(packet, 0x0102030405060708L);
        PathFrames.encodeResponse(packet, 0x1112131415161718L);
        byte[] wire = Arrays.copyOf(packet.array(), packet.position());
        assertThat(wire).isEqualTo(bytes(
                "d4 | 000000000000000a"         // DATA, destination connection id
                + "000000000000002a"            // packet number
                + "06 | 0102030405060708"       // PATH_CHALLENGE, data
                + "07 | 1112131415161718"));    // PATH_RESPONSE, data
        ByteBuffer in = ByteBuffer.wrap(wire);
        DataHeader.decode(in);
        DataFrames frames = DataFrames.decode(in);
        assertThat(frames.pathChallenge()).isEqualTo(0x0102030405060708L);
        assertThat(frames.pathResponse()).isEqualTo(0x1112131415161718L);
        assertThat(frames.probing()).isTrue();
        assertThat(frames.ackEliciting()).isFalse();

        byte[] zero = bytes("06 0000000000000000");
        assertThatThrownBy(() -> PathFrames.decodeData(ByteBuffer.wrap(zero, 1, 8)))
                .isInstanceOf(MalformedPacketException.class);
        assertThatThrownBy(() -> PathFrames.decodeData(ByteBuffer.wrap(wire, 18, 7)))
                .isInstanceOf(MalformedPacketException.class);
        byte[] twice = bytes("06 0102030405060708 06 0102030405060709");
        assertThatThrownBy(() -> DataFrames.decode(ByteBuffer.wrap(twice)))
                .isInstanceOf(MalformedPacketException.class);
    }

    @Test
    void aPacketWithAnythingButPathFramesAndPaddingIsNotProbing() throws Exception {
        byte[] challengeAndPing = bytes("06 0102030405060708 01");
        assertThat(DataFrames.decode(ByteBuffer.wrap(challengeAndPing)).probing()).isFalse();
        byte[] challengeAndPadding = bytes("06 0102030405060708 00 0000");
        assertThat(DataFrames.decode(ByteBuffer.wrap(challengeAndPadding)).probing()).isTrue();
    }
}
