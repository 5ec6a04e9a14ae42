package io.crust.core.fuzz;

import io.crust.testkit.InputBudget;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.crust.core.CrustException;
import io.crust.core.PeerRecord;
import io.crust.core.discovery.GossipMessage;
import io.crust.core.wire.ConnectionInfoCodec;
import io.crust.core.wire.WireCodec;
import io.crust.core.wire.WireFormatException;
import java.nio.charset.StandardCharsets;

/**
 * Hostile bytes against the decoders of what peers tell each other: signed peer records (also the
 * body of LAN beacons), gossip messages, the wire protocol spoken inside a secure channel, and
 * connection info (binary and the text form users paste). Each returns a value or throws its
 * documented exception; nothing else escapes, nothing allocates out of proportion.
 */
class RecordFuzzTest {
    private static final int MAX_APP_BYTES = 64 * 1024;

    @FuzzTest
    void peerRecordsDecodeOrAreRefusedWithCrustException(byte[] data) {
        InputBudget.check("PeerRecord.decode", data.length, () -> {
            try {
                PeerRecord record = PeerRecord.decode(data);
                assertThat(record.encodedBytes()).isLessThanOrEqualTo(PeerRecord.MAX_ENCODED_BYTES);
                record.verify("fuzz-net");
            } catch (CrustException expected) {
                // documented refusal
            }
        });
    }

    @FuzzTest
    void gossipMessagesDecodeOrAreRefusedWithCrustException(byte[] data) {
        InputBudget.check("GossipMessage.decode", data.length, () -> {
            try {
                GossipMessage.decode(data);
            } catch (CrustException expected) {
                // documented refusal
            }
        });
    }

    @FuzzTest
    void wireMessagesDecodeOrAreRefusedWithWireFormatException(byte[] data) {
        WireCodec codec = new WireCodec(MAX_APP_BYTES);
        InputBudget.check("WireCodec.decode", data.length, () -> {
            try {
                assertThat(codec.decode(data)).isNotNull();
            } catch (WireFormatException expected) {
                // documented refusal
            }
        });
    }

    @FuzzTest
    void connectionInfoDecodesOrIsRefused(byte[] data) {
        InputBudget.check("ConnectionInfoCodec", data.length, () -> {
            try {
                ConnectionInfoCodec.decode(data);
            } catch (WireFormatException expected) {
                // documented refusal of the binary form
            }
            try {
                ConnectionInfoCodec.parseText(new String(data, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException expected) {
                // documented refusal of the text form a user pastes
            }
        });
    }
}
