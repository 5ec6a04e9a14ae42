package io.crust.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.ConnectionInfo;
import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final WireCodec CODEC = new WireCodec(1000);
    private static final PeerId PEER = Identity.generate().peerId();

    private static InetSocketAddress address(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void appMessageIsTheTypeByteThenThePayload() throws Exception {
        byte[] bytes = CODEC.encode(new WireMessage.App(new byte[] {7, 8}));
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("02" + "0708");
        assertThat(((WireMessage.App) CODEC.decode(bytes)).payload()).containsExactly(7, 8);
    }

    @Test
    void relayDataCarriesTheCircuitIdBigEndian() throws Exception {
        byte[] bytes = CODEC.encode(new WireMessage.RelayData(0x01020304, new byte[] {9}));
        //                                       type circuit-id  frame
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("0a" + "01020304" + "09");
    }

    @Test
    void connectionInfoHasIdCountsThenAddressesThenKinds() throws Exception {
        ConnectionInfo info = new ConnectionInfo(PEER, List.of(address("192.0.2.1", 5483)), List.of());
        byte[] bytes = ConnectionInfoCodec.encode(info);
        //                     id (32 bytes)                     tcp udp  v4  port  192.0.2.1  kind: host
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(HexFormat.of().formatHex(PEER.publicKey()) + "01" + "00" + "04" + "156b" + "c0000201" + "01");
        assertThat(ConnectionInfoCodec.decode(bytes)).isEqualTo(info);
    }

    @Test
    void addressKindsTravelWithTheirAddressesAndUnknownKindsAreRejected() throws Exception {
        ConnectionInfo info = new ConnectionInfo(PEER, List.of(address("192.0.2.1", 1), address("192.0.2.2", 2)),
                List.of(address("198.51.100.2", 3)), List.of(PeerRecord.Kind.MAPPED, PeerRecord.Kind.HOST),
                List.of(PeerRecord.Kind.REFLEXIVE));
        byte[] bytes = ConnectionInfoCodec.encode(info);
        assertThat(ConnectionInfoCodec.decode(bytes)).isEqualTo(info);
        bytes[bytes.length - 1] = 9;
        assertThatThrownBy(() -> ConnectionInfoCodec.decode(bytes)).isInstanceOf(WireFormatException.class)
                .hasMessageContaining("unknown address kind 9");
        assertThatThrownBy(() -> new ConnectionInfo(PEER, List.of(address("192.0.2.1", 1)), List.of(), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one kind per address");
    }

    @Test
    void everyMessageTypeSurvivesARoundTrip() throws Exception {
        ConnectionInfo info = new ConnectionInfo(PEER, List.of(address("192.0.2.1", 1), address("2001:db8::1", 2)),
                List.of(address("198.51.100.2", 3)));
        List<WireMessage> messages = List.of(
                new WireMessage.Hello(true, Transport.UDT, address("203.0.113.5", 40000), info),
                new WireMessage.Hello(false, null, null, info),
                new WireMessage.Heartbeat(),
                new WireMessage.Goodbye("bye ✓"),
                new WireMessage.Retire(),
                new WireMessage.Forward(false, PEER, new WireMessage.ConnectInfo(false, 42, info, "crust-punch/1 x", 40000)),
                new WireMessage.Forward(true, PEER, new WireMessage.ConnectInfo(true, -1, info, "", 0)),
                new WireMessage.RelayOpen(false, 6, PEER),
                new WireMessage.RelayOpen(true, 7, PEER),
                new WireMessage.RelayClose(7, "limit"),
                new WireMessage.Ack(123_456_789_012L),
                new WireMessage.Resume(true, 64),
                new WireMessage.Resume(false, 0));
        for (WireMessage m : messages) {
            WireMessage decoded = CODEC.decode(CODEC.encode(m));
            assertThat(CODEC.encode(decoded)).as(m.toString()).isEqualTo(CODEC.encode(m));
            assertThat(decoded.getClass()).isEqualTo(m.getClass());
        }
    }

    @Test
    void ackAndResumeCarryACountThatIsNeverNegativeAndARefusalCarriesNone() {
        assertThat(HexFormat.of().formatHex(CODEC.encode(new WireMessage.Ack(0x0102)))).isEqualTo("0e" + "0000000000000102");
        assertThat(HexFormat.of().formatHex(CODEC.encode(new WireMessage.Resume(true, 3)))).isEqualTo("0f" + "01" + "0000000000000003");
        for (String bad : List.of("0e8000000000000000", "0f018000000000000001", "0f000000000000000001", "0f020000000000000000",
                "0e00000000000001", "0f01000000000000000100")) {
            assertThatThrownBy(() -> CODEC.decode(HexFormat.of().parseHex(bad))).as(bad).isInstanceOf(WireFormatException.class);
        }
    }

    @Test
    void anAppPayloadOverTheLimitIsReportedAsOversized() {
        byte[] bytes = new byte[1 + 1001];
        bytes[0] = 0x02;
        assertThatThrownBy(() -> CODEC.decode(bytes)).isInstanceOf(WireFormatException.Oversized.class);
    }

    @Test
    void malformedMessagesAreRejectedWithoutAllocatingWhatTheyAnnounce() throws Exception {
        ConnectionInfo info = new ConnectionInfo(PEER, List.of(address("192.0.2.1", 1)), List.of());
        byte[] hello = CODEC.encode(new WireMessage.Hello(false, null, null, info));
        byte[] truncated = java.util.Arrays.copyOf(hello, hello.length - 1);
        byte[] trailing = java.util.Arrays.copyOf(hello, hello.length + 1);
        byte[] tooManyAddresses = hello.clone();
        tooManyAddresses[3 + 32] = (byte) 200; // TCP count after type, flags, observed, id
        byte[] offerTooLong = HexFormat.of().parseHex("08" + "00" + "0000000000000001")
                ;
        for (byte[] bad : List.of(new byte[0], new byte[] {0x7f}, truncated, trailing, tooManyAddresses,
                new byte[] {0x03, 0x00}, offerTooLong)) {
            assertThatThrownBy(() -> CODEC.decode(bad)).isInstanceOf(WireFormatException.class);
        }
    }

    @Test
    void connectionInfoTextRoundTripsAndRejectsGarbage() throws Exception {
        ConnectionInfo info = new ConnectionInfo(PEER, List.of(address("192.0.2.1", 5483)), List.of(address("192.0.2.1", 5484)));
        assertThat(ConnectionInfo.parse(info.toText())).isEqualTo(info);
        assertThatThrownBy(() -> ConnectionInfo.parse("crust1:!!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConnectionInfo.parse("hello")).isInstanceOf(IllegalArgumentException.class);
    }
}
