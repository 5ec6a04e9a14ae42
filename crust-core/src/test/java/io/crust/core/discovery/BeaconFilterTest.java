package io.crust.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Identity;
import io.crust.core.PeerRecord;
import io.crust.core.PeerRecord.Address;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class BeaconFilterTest {
    private static final String NETWORK = "lan-test";
    private static final long SECOND = 1_000_000_000L;
    private final Identity me = Identity.generate();
    private final Identity other = Identity.generate();
    private final byte[] tag = Beacon.networkTag(NETWORK);
    private final InetAddress source = InetAddress.getLoopbackAddress();
    private long now = 100 * SECOND;

    private static PeerRecord record(Identity identity, String network, long sequence) {
        return PeerRecord.signed(identity, network, sequence,
                List.of(new Address(Transport.TCP, Kind.HOST, new InetSocketAddress("192.168.1.20", 5483))));
    }

    private BeaconFilter filter() {
        return new BeaconFilter(me.peerId(), NETWORK, BeaconFilter.Limits.defaults());
    }

    private static ByteBuffer datagram(byte[] bytes) {
        return ByteBuffer.wrap(bytes);
    }

    @Test
    void theBeaconHeaderMatchesTheDiagram() {
        PeerRecord record = record(other, NETWORK, 1);
        byte[] beacon = Beacon.encode(tag, record);

        assertThat(HexFormat.of().formatHex(beacon, 0, 8)).isEqualTo("43524c42" + "01000000");
        assertThat(HexFormat.of().formatHex(beacon, 8, 16)).isEqualTo(HexFormat.of().formatHex(tag));
        assertThat(beacon).hasSize(16 + record.encodedBytes());
    }

    @Test
    void aValidBeaconOfAnotherPeerIsReportedOnce() {
        BeaconFilter filter = filter();
        byte[] beacon = Beacon.encode(tag, record(other, NETWORK, 1));

        assertThat(filter.accept(source, datagram(beacon), now)).map(PeerRecord::peerId).contains(other.peerId());
        assertThat(filter.accept(source, datagram(beacon), now + SECOND)).isEmpty();
        assertThat(filter.counters().repeated).isEqualTo(1);
    }

    @Test
    void thePeerIsReportedAgainWhenItsSequenceGrowsOrAfterTheRepeatInterval() {
        BeaconFilter filter = filter();
        filter.accept(source, datagram(Beacon.encode(tag, record(other, NETWORK, 1))), now);

        assertThat(filter.accept(source, datagram(Beacon.encode(tag, record(other, NETWORK, 2))), now + SECOND)).isPresent();
        assertThat(filter.accept(source, datagram(Beacon.encode(tag, record(other, NETWORK, 2))), now + 2 * SECOND)).isEmpty();
        assertThat(filter.accept(source, datagram(Beacon.encode(tag, record(other, NETWORK, 2))), now + 62 * SECOND)).isPresent();
    }

    @Test
    void anOlderRecordIsNeverReportedAfterANewerOne() {
        BeaconFilter filter = filter();
        filter.accept(source, datagram(Beacon.encode(tag, record(other, NETWORK, 5))), now);

        assertThat(filter.accept(source, datagram(Beacon.encode(tag, record(other, NETWORK, 4))), now + 120 * SECOND)).isEmpty();
    }

    @Test
    void ourOwnBeaconIsIgnored() {
        BeaconFilter filter = filter();

        assertThat(filter.accept(source, datagram(Beacon.encode(tag, record(me, NETWORK, 1))), now)).isEmpty();
        assertThat(filter.counters().own).isEqualTo(1);
    }

    @Test
    void aBeaconOfAnotherNetworkIsDroppedByItsTagBeforeAnySignatureWork() {
        BeaconFilter filter = filter();

        assertThat(filter.accept(source, datagram(Beacon.encode(Beacon.networkTag("other"), record(other, "other", 1))), now)).isEmpty();
        assertThat(filter.counters().malformed).isEqualTo(1);
    }

    @Test
    void aCopiedTagWithARecordSignedForAnotherNetworkFailsTheSignature() {
        BeaconFilter filter = filter();

        assertThat(filter.accept(source, datagram(Beacon.encode(tag, record(other, "other", 1))), now)).isEmpty();
        assertThat(filter.counters().badSignature).isEqualTo(1);
    }

    @Test
    void aForgedRecordWithAHigherSequenceDoesNotDisplaceTheGenuineOne() {
        BeaconFilter filter = filter();
        filter.accept(source, datagram(Beacon.encode(tag, record(other, NETWORK, 1))), now);
        byte[] forged = Beacon.encode(tag, record(other, NETWORK, 9));
        forged[forged.length - 1] ^= 1;

        assertThat(filter.accept(source, datagram(forged), now + SECOND)).isEmpty();
        assertThat(filter.counters().badSignature).isEqualTo(1);
        assertThat(filter.accept(source, datagram(Beacon.encode(tag, record(other, NETWORK, 2))), now + 2 * SECOND)).isPresent();
    }

    @Test
    void malformedDatagramsAreDroppedAndCounted() {
        BeaconFilter filter = filter();
        byte[] good = Beacon.encode(tag, record(other, NETWORK, 1));
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] badVersion = good.clone();
        badVersion[4] = 2;
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        for (byte[] bad : List.of(new byte[0], new byte[3], badMagic, badVersion, trailing, truncated, new byte[Beacon.MAX_BYTES + 1])) {
            assertThat(filter.accept(InetAddress.getLoopbackAddress(), datagram(bad), now += SECOND)).isEmpty();
        }
        assertThat(filter.counters().malformed).isEqualTo(7);
    }

    @Test
    void aFloodFromOneSourceIsCutToItsBurstAndDoesNotSilenceOtherSources() throws Exception {
        BeaconFilter filter = filter();
        byte[] junk = new byte[20];
        for (int i = 0; i < 1000; i++) {
            filter.accept(source, datagram(junk), now);
        }
        assertThat(filter.counters().malformed).isEqualTo(8);
        assertThat(filter.counters().rateLimited).isEqualTo(992);

        InetAddress neighbour = InetAddress.getByName("192.168.1.30");
        assertThat(filter.accept(neighbour, datagram(Beacon.encode(tag, record(other, NETWORK, 1))), now)).isPresent();
    }

    @Test
    void manySourcesTogetherAreLimitedByTheTotalBucket() throws Exception {
        BeaconFilter filter = filter();
        byte[] junk = new byte[20];
        for (int i = 0; i < 1000; i++) {
            filter.accept(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), datagram(junk), now);
        }

        assertThat(filter.counters().malformed).isEqualTo(64);
        assertThat(filter.counters().rateLimited).isEqualTo(936);
    }
}
