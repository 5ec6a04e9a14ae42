package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.MappingProtocol;
import io.crust.nat.gateway.AnnouncementListener.Announcement;
import io.crust.testkit.NoNameLookups;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AnnouncementListenerTest {
    private static final HexFormat HEX = HexFormat.of();
    /** RFC 6886 section 3.2.1: an external address response, sent unasked. */
    private static final String NAT_PMP_ANNOUNCEMENT =
            "0080" + "0000"          // version 0, opcode 128, result 0
            + "00000005"             // epoch 5 s
            + "cb00710b";            // external 203.0.113.11
    /** RFC 6887 section 14.1: an ANNOUNCE response, sent unasked: the header alone. */
    private static final String PCP_ANNOUNCE =
            "02800000"               // version 2, R + opcode 0, reserved, result 0
            + "00000000"             // lifetime 0
            + "00000006"             // epoch 6 s
            + "000000000000000000000000";

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByAddress(HEX.parseHex(literal));
    }

    private static Announcement parse(InetAddress from, InetAddress gateway, String hex) {
        return AnnouncementListener.parse(from, gateway, ByteBuffer.wrap(HEX.parseHex(hex)));
    }

    @Test
    void natPmpAndPcpAnnouncementsFromTheGatewayAreRead() throws Exception {
        InetAddress gateway = ip("c0a80101");
        assertThat(parse(gateway, gateway, NAT_PMP_ANNOUNCEMENT)).isEqualTo(new Announcement(MappingProtocol.NAT_PMP, 5));
        assertThat(parse(gateway, gateway, PCP_ANNOUNCE)).isEqualTo(new Announcement(MappingProtocol.PCP, 6));
    }

    @Test
    void anAnnouncementFromAnotherAddressIsIgnored() throws Exception {
        InetAddress gateway = ip("c0a80101");
        InetAddress neighbour = ip("c0a80107");
        assertThat(parse(neighbour, gateway, NAT_PMP_ANNOUNCEMENT)).isNull();
        assertThat(parse(neighbour, gateway, PCP_ANNOUNCE)).isNull();
        assertThat(parse(null, gateway, PCP_ANNOUNCE)).isNull();
    }

    @Test
    void malformedErrorAndOtherOpcodeDatagramsAreIgnored() throws Exception {
        InetAddress gateway = ip("c0a80101");
        for (String datagram : List.of(
                "",                                                          // empty
                "00",                                                        // one byte
                NAT_PMP_ANNOUNCEMENT.substring(0, 16),                       // 8 bytes: a NAT-PMP error's length
                "0080" + "0003" + NAT_PMP_ANNOUNCEMENT.substring(8),        // result 3, Network Failure
                "0081" + NAT_PMP_ANNOUNCEMENT.substring(4) + "00000000",    // a mapping response (opcode 129)
                "0000" + NAT_PMP_ANNOUNCEMENT.substring(4),                 // a request (opcode 0)
                PCP_ANNOUNCE.substring(0, 40),                               // 20 bytes
                "02000000" + PCP_ANNOUNCE.substring(8),                      // no R bit
                "02800007" + PCP_ANNOUNCE.substring(8),                      // result NETWORK_FAILURE
                "02810000" + PCP_ANNOUNCE.substring(8),                      // opcode MAP, without its payload
                PCP_ANNOUNCE + "00",                                         // not a multiple of 4
                "01800000" + PCP_ANNOUNCE.substring(8))) {                   // version 1
            assertThat(parse(gateway, gateway, datagram)).as(datagram).isNull();
        }
    }

    @Test
    void readingAnnouncementsLooksNoNameUp() throws Exception {
        InetAddress gateway = ip("c0a80101");
        List<String> seen = NoNameLookups.during(() -> {
            assertThat(parse(gateway, gateway, NAT_PMP_ANNOUNCEMENT)).isNotNull();
            assertThat(parse(ip("c0a80107"), gateway, PCP_ANNOUNCE)).isNull();
            assertThat(parse(gateway, gateway, "0080000000000005cafebeef")).isNotNull();
        });
        assertThat(seen).isEmpty();
    }

    @Test
    void theListenerReportsAnAnnouncementSentToItsPortAndItsThreadEndsOnClose() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<Announcement> heard = new CopyOnWriteArrayList<>();
        AnnouncementListener listener = AnnouncementListener.start(loopback, 0, heard::add);
        try (DatagramSocket gateway = new DatagramSocket(new InetSocketAddress(loopback, 0));
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(ip("7f000002"), 0))) {
            InetSocketAddress to = new InetSocketAddress(loopback, listener.port());
            byte[] pcp = HEX.parseHex(PCP_ANNOUNCE);
            stranger.send(new DatagramPacket(pcp, pcp.length, to));
            byte[] pmp = HEX.parseHex(NAT_PMP_ANNOUNCEMENT);
            gateway.send(new DatagramPacket(pmp, pmp.length, to));
            assertThat(Eventually.holds(Duration.ofSeconds(20), () -> !heard.isEmpty())).isTrue();
            assertThat(heard).containsExactly(new Announcement(MappingProtocol.NAT_PMP, 5));
        } finally {
            listener.close();
        }
        assertThat(listener.receiving()).as("close() joined the receiving thread").isFalse();
    }
}
