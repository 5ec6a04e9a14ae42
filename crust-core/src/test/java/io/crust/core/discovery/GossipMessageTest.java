package io.crust.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.CrustException;
import io.crust.core.Identity;
import io.crust.core.PeerRecord;
import io.crust.core.PeerRecord.Address;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class GossipMessageTest {
    private static final String NETWORK = "gossip-test";

    static PeerRecord record(Identity identity, long sequence) {
        return PeerRecord.signed(identity, NETWORK, sequence,
                List.of(new Address(Transport.TCP, Kind.REFLEXIVE, new InetSocketAddress("203.0.113.5", 6000))));
    }

    @Test
    void aMessageRoundTripsAndItsHeaderMatchesTheDiagram() throws Exception {
        PeerRecord a = record(Identity.generate(), 1);
        PeerRecord b = record(Identity.generate(), 2);
        GossipMessage message = new GossipMessage(3, List.of(a, b));

        byte[] encoded = message.encode();

        assertThat(HexFormat.of().formatHex(encoded, 0, 4)).isEqualTo("01" + "03" + "0002");
        assertThat(encoded).hasSize(4 + a.encodedBytes() + b.encodedBytes());
        assertThat(GossipMessage.decode(encoded)).isEqualTo(message);
    }

    @Test
    void anEmptyMessageIsValid() throws Exception {
        assertThat(GossipMessage.decode(new GossipMessage(0, List.of()).encode()).records()).isEmpty();
    }

    @Test
    void tooManyRecordsOrHopsAreRefusedWhenBuildingAndWhenDecoding() {
        List<PeerRecord> many = new ArrayList<>();
        PeerRecord one = record(Identity.generate(), 1);
        for (int i = 0; i <= GossipMessage.MAX_RECORDS; i++) {
            many.add(one);
        }
        assertThatThrownBy(() -> new GossipMessage(0, many)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GossipMessage(GossipMessage.MAX_HOPS + 1, List.of())).isInstanceOf(IllegalArgumentException.class);

        byte[] encoded = new GossipMessage(1, List.of(one)).encode();
        byte[] hops = encoded.clone();
        hops[1] = 9;
        assertThatThrownBy(() -> GossipMessage.decode(hops)).hasMessageContaining("hop count 9");
        byte[] count = encoded.clone();
        count[2] = 1;
        assertThatThrownBy(() -> GossipMessage.decode(count)).hasMessageContaining("257 records");
    }

    @Test
    void aCountThatCannotFitIsRefusedBeforeAnyRecordIsDecoded() {
        byte[] encoded = new GossipMessage(1, List.of(record(Identity.generate(), 1))).encode();
        encoded[3] = 5;

        assertThatThrownBy(() -> GossipMessage.decode(encoded)).hasMessageContaining("cannot fit");
    }

    @Test
    void everyTruncationAndTrailingGarbageIsRefused() {
        byte[] good = new GossipMessage(2, List.of(record(Identity.generate(), 1), record(Identity.generate(), 1))).encode();
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> GossipMessage.decode(cut)).as("length %d", length).isInstanceOf(CrustException.class);
        }
        assertThatThrownBy(() -> GossipMessage.decode(Arrays.copyOf(good, good.length + 1))).isInstanceOf(CrustException.class);
    }

    @Test
    void anOversizedMessageIsRefusedByItsLengthAlone() {
        assertThatThrownBy(() -> GossipMessage.decode(new byte[GossipMessage.MAX_ENCODED_BYTES + 1])).hasMessageContaining("size");
    }

    @Test
    void anUnknownVersionIsRefused() {
        byte[] encoded = new GossipMessage(0, List.of()).encode();
        encoded[0] = 2;

        assertThatThrownBy(() -> GossipMessage.decode(encoded)).hasMessageContaining("version 2");
    }
}
