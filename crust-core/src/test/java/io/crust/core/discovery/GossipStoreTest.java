package io.crust.core.discovery;

import static io.crust.core.discovery.GossipMessageTest.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Identity;
import io.crust.core.PeerRecord;
import io.crust.core.discovery.GossipStore.Outcome;
import io.crust.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GossipStoreTest {
    private final ManualClock clock = new ManualClock();
    private final Identity me = Identity.generate();
    private final Identity a = Identity.generate();
    private final Identity b = Identity.generate();

    private GossipStore store(int maxEntries) {
        return new GossipStore(me.peerId(), "gossip-test", maxEntries, Duration.ofMinutes(10), clock);
    }

    @Test
    void theNewestSequenceWinsPerPeer() {
        GossipStore store = store(10);

        assertThat(store.offer(record(a, 5))).isEqualTo(Outcome.ADDED);
        assertThat(store.offer(record(a, 4))).isEqualTo(Outcome.KNOWN);
        assertThat(store.offer(record(a, 5))).isEqualTo(Outcome.KNOWN);
        assertThat(store.offer(record(a, 6))).isEqualTo(Outcome.REPLACED);
        assertThat(store.get(a.peerId())).contains(record(a, 6));
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void aRecordThatDoesNotVerifyIsNotStored() {
        GossipStore store = store(10);
        PeerRecord otherNetwork = PeerRecord.signed(a, "another-network", 1, List.of());

        assertThat(store.offer(otherNetwork)).isEqualTo(Outcome.INVALID);
        assertThat(store.get(a.peerId())).isEmpty();
    }

    @Test
    void ourOwnRecordIsNeverStored() {
        GossipStore store = store(10);

        assertThat(store.offer(record(me, 1))).isEqualTo(Outcome.OWN);
        assertThat(store.size()).isZero();
    }

    @Test
    void recordsExpireByTheAgeAtWhichTheyWereFirstStoredEvenIfRepeated() {
        GossipStore store = store(10);
        store.offer(record(a, 1));
        clock.advance(Duration.ofMinutes(6));
        store.offer(record(b, 1));
        assertThat(store.offer(record(a, 1))).isEqualTo(Outcome.KNOWN);

        clock.advance(Duration.ofMinutes(5));

        assertThat(store.get(a.peerId())).isEmpty();
        assertThat(store.get(b.peerId())).isPresent();
        assertThat(store.offer(record(a, 2))).isEqualTo(Outcome.ADDED);
    }

    @Test
    void whenFullTheRecordStoredLongestAgoMakesRoom() {
        GossipStore store = store(2);
        Identity c = Identity.generate();
        store.offer(record(a, 1));
        clock.advance(Duration.ofSeconds(1));
        store.offer(record(b, 1));
        clock.advance(Duration.ofSeconds(1));
        store.offer(record(a, 2));
        clock.advance(Duration.ofSeconds(1));

        store.offer(record(c, 1));

        assertThat(store.get(b.peerId())).isEmpty();
        assertThat(store.freshest(10)).containsExactly(record(c, 1), record(a, 2));
    }

    @Test
    void freshestIsNewestFirstAndBounded() {
        GossipStore store = store(10);
        store.offer(record(a, 1));
        store.offer(record(b, 1));

        assertThat(store.freshest(1)).containsExactly(record(b, 1));
    }
}
