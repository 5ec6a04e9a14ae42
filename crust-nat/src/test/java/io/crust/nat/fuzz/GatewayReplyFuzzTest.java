package io.crust.nat.fuzz;

import io.crust.testkit.InputBudget;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.AnnouncementListener;
import io.crust.nat.gateway.MalformedReplyException;
import io.crust.nat.pcp.PcpMessages;
import io.crust.nat.pmp.NatPmpMessages;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Hostile gateway replies against the NAT-PMP (RFC 6886) and PCP (RFC 6887) decoders: a reply
 * decodes, is recognised as another opcode's ({@code null}), or is refused with
 * {@link MalformedReplyException}. Nothing else escapes, nothing hangs or allocates out of
 * proportion. Saved inputs: {@code src/test/resources/io/crust/nat/fuzz/GatewayReplyFuzzTestInputs/}.
 */
class GatewayReplyFuzzTest {

    @FuzzTest
    void natPmpRepliesDecodeOrAreRefused(byte[] data) {
        InputBudget.check("NatPmpMessages", data.length, () -> {
            ByteBuffer datagram = ByteBuffer.wrap(data);
            try {
                NatPmpMessages.ExternalAddressResponse r = NatPmpMessages.decodeExternalAddress(datagram);
                if (r != null && r.resultCode() == 0) {
                    assertThat(r.address()).isNotNull();
                }
            } catch (MalformedReplyException expected) {
                // documented refusal
            }
            for (IpProtocol transport : IpProtocol.values()) {
                try {
                    NatPmpMessages.MapResponse r = NatPmpMessages.decodeMap(datagram, transport);
                    if (r != null && r.resultCode() == 0) {
                        assertThat(r.internalPort()).isBetween(1, 65535);
                        assertThat(r.externalPort()).isBetween(0, 65535);
                    }
                } catch (MalformedReplyException expected) {
                    // documented refusal
                }
            }
            assertThat(datagram.position()).isZero();
        });
    }

    /** Also the ANNOUNCE decoder and the announcement listener's parser, on the same inputs. */
    @FuzzTest
    void pcpRepliesDecodeOrAreRefused(byte[] data) {
        InputBudget.check("PcpMessages.decodeMap", data.length, () -> {
            try {
                PcpMessages.Response r = PcpMessages.decodeMap(ByteBuffer.wrap(data));
                if (r != null && r.resultCode() == 0 && r.version() == PcpMessages.VERSION) {
                    assertThat(r.nonce()).hasSize(PcpMessages.NONCE_BYTES);
                    assertThat(r.externalAddress()).isNotNull();
                }
            } catch (MalformedReplyException expected) {
                // documented refusal
            }
            try {
                PcpMessages.Announce a = PcpMessages.decodeAnnounce(ByteBuffer.wrap(data));
                if (a != null) {
                    assertThat(a.epochSeconds()).isBetween(0L, 0xffffffffL);
                }
            } catch (MalformedReplyException expected) {
                // documented refusal
            }
            // a datagram on the announcement port: an announcement or ignored, never an exception
            AnnouncementListener.parse(GATEWAY, GATEWAY, ByteBuffer.wrap(data));
        });
    }

    private static final InetAddress GATEWAY = gateway();

    private static InetAddress gateway() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 1, 1});
        } catch (java.net.UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
