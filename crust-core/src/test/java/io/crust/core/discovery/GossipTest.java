package io.crust.core.discovery;

import static io.crust.core.discovery.GossipMessageTest.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.discovery.Gossip.Outgoing;
import io.crust.core.discovery.Gossip.Result;
import io.crust.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GossipTest {
    private static final String NETWORK = "gossip-test";
    private final ManualClock clock = new ManualClock();
    private final Identity me = Identity.generate();

    private Gossip gossip(Identity self, Gossip.Config config) {
        return new Gossip(self.peerId(), NETWORK, config, clock, new SplittableRandom(7));
    }

    private static List<PeerId> ids(int n) {
        List<PeerId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Identity.generate().peerId());
        }
        return ids;
    }

    @Test
    void aNewPeerReceivesOurRecordWithHopsAndWhatWeKnowWithoutHops() {
        Gossip gossip = gossip(me, Gossip.Config.defaults());
        Identity known = Identity.generate();
        Identity newcomer = Identity.generate();
        gossip.onMessage(known.peerId(), new GossipMessage(0, List.of(record(known, 1), record(newcomer, 1))), List.of());
        PeerRecord own = record(me, 1);

        List<Outgoing> out = gossip.onConnected(newcomer.peerId(), own);

        assertThat(out).containsExactly(
                new Outgoing(newcomer.peerId(), new GossipMessage(3, List.of(own))),
                new Outgoing(newcomer.peerId(), new GossipMessage(0, List.of(record(known, 1)))));
    }

    @Test
    void newsIsForwardedWithOneHopLessToAtMostFanOutPeersNeverBackToTheSenderOrTheSubject() {
        Gossip gossip = gossip(me, Gossip.Config.defaults());
        Identity subject = Identity.generate();
        List<PeerId> connected = new ArrayList<>(ids(10));
        PeerId sender = connected.get(0);
        connected.add(subject.peerId());

        Result result = gossip.onMessage(sender, new GossipMessage(2, List.of(record(subject, 1))), connected);

        assertThat(result.learned()).containsExactly(record(subject, 1));
        assertThat(result.forward()).hasSize(3);
        assertThat(result.forward()).extracting(Outgoing::to).doesNotHaveDuplicates()
                .doesNotContain(sender, subject.peerId()).allMatch(connected::contains);
        assertThat(result.forward()).allMatch(o -> o.message().equals(new GossipMessage(1, List.of(record(subject, 1)))));
    }

    @Test
    void nothingIsForwardedWhenNoHopsAreLeft() {
        Gossip gossip = gossip(me, Gossip.Config.defaults());
        Identity subject = Identity.generate();

        Result result = gossip.onMessage(ids(1).get(0), new GossipMessage(0, List.of(record(subject, 1))), ids(5));

        assertThat(result.learned()).hasSize(1);
        assertThat(result.forward()).isEmpty();
    }

    @Test
    void whatWeAlreadyKnewIsNotForwardedAgain() {
        Gossip gossip = gossip(me, Gossip.Config.defaults());
        Identity subject = Identity.generate();
        List<PeerId> connected = ids(5);
        gossip.onMessage(connected.get(0), new GossipMessage(2, List.of(record(subject, 1))), connected);

        Result again = gossip.onMessage(connected.get(1), new GossipMessage(2, List.of(record(subject, 1))), connected);

        assertThat(again.learned()).isEmpty();
        assertThat(again.forward()).isEmpty();
        assertThat(again.misbehaved()).isFalse();
    }

    @Test
    void aRecordThatFailsVerificationIsNeverForwardedAndCountsAsMisbehaviour() {
        Gossip gossip = gossip(me, Gossip.Config.defaults());
        Identity subject = Identity.generate();
        PeerRecord foreign = PeerRecord.signed(subject, "another-network", 1, List.of());

        Result result = gossip.onMessage(ids(1).get(0), new GossipMessage(3, List.of(foreign)), ids(5));

        assertThat(result.invalidRecords()).isEqualTo(1);
        assertThat(result.misbehaved()).isTrue();
        assertThat(result.forward()).isEmpty();
        assertThat(gossip.lookup(subject.peerId())).isEmpty();
    }

    @Test
    void aPeerSendingMoreRecordsThanItsRateIsCutOffAndReported() {
        Gossip.Config config = new Gossip.Config(1000, Duration.ofMinutes(30), 3, 3, 64, 4, 1.0);
        Gossip gossip = gossip(me, config);
        PeerId flooder = ids(1).get(0);
        List<PeerRecord> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(record(Identity.generate(), 1));
        }

        Result flood = gossip.onMessage(flooder, new GossipMessage(0, five), List.of());
        assertThat(flood.rateLimitedRecords()).isEqualTo(5);
        assertThat(flood.misbehaved()).isTrue();
        assertThat(gossip.known(10)).isEmpty();

        Result fair = gossip.onMessage(flooder, new GossipMessage(0, five.subList(0, 4)), List.of());
        assertThat(fair.learned()).hasSize(4);
        clock.advance(Duration.ofSeconds(1));
        assertThat(gossip.onMessage(flooder, new GossipMessage(0, five.subList(4, 5)), List.of()).learned()).hasSize(1);
    }

    @Test
    void publishingSendsOurRecordToEveryConnectedPeer() {
        Gossip gossip = gossip(me, Gossip.Config.defaults());
        List<PeerId> connected = ids(4);

        List<Outgoing> out = gossip.publish(record(me, 2), connected);

        assertThat(out).extracting(Outgoing::to).containsExactlyElementsOf(connected);
    }

    /**
     * Ten nodes in a line, each connected only to its neighbours: every node learns of every node within
     * its hop budget of direct neighbours' neighbours, and the number of messages stays bounded.
     */
    @Test
    void nodesOnALineLearnOfPeersSeveralHopsAway() {
        int n = 10;
        List<Identity> identities = new ArrayList<>();
        List<Gossip> nodes = new ArrayList<>();
        Map<PeerId, Integer> index = new HashMap<>();
        SplittableRandom seeded = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            Identity id = Identity.generate();
            identities.add(id);
            nodes.add(new Gossip(id.peerId(), NETWORK, Gossip.Config.defaults(), clock, seeded.split()));
            index.put(id.peerId(), i);
        }
        Deque<Object[]> wire = new ArrayDeque<>();
        // Node i connects to i-1, one after another, as nodes joining a network would.
        for (int i = 1; i < n; i++) {
            PeerId left = identities.get(i - 1).peerId();
            PeerId right = identities.get(i).peerId();
            nodes.get(i).onConnected(left, record(identities.get(i), 1)).forEach(o -> wire.add(new Object[] {right, o}));
            nodes.get(i - 1).onConnected(right, record(identities.get(i - 1), 1)).forEach(o -> wire.add(new Object[] {left, o}));
            int delivered = 0;
            while (!wire.isEmpty()) {
                Object[] item = wire.poll();
                PeerId from = (PeerId) item[0];
                Outgoing outgoing = (Outgoing) item[1];
                int to = index.get(outgoing.to());
                List<PeerId> neighbours = new ArrayList<>();
                if (to > 0) {
                    neighbours.add(identities.get(to - 1).peerId());
                }
                if (to < i) {
                    neighbours.add(identities.get(to + 1).peerId());
                }
                Result result = nodes.get(to).onMessage(from, outgoing.message(), neighbours);
                assertThat(result.misbehaved()).isFalse();
                result.forward().forEach(o -> wire.add(new Object[] {outgoing.to(), o}));
                delivered++;
            }
            assertThat(delivered).as("messages after node %d joined", i).isLessThan(20);
        }
        // The last node learnt of the first ones through the sync of its neighbour, not only its neighbours.
        Gossip last = nodes.get(n - 1);
        assertThat(last.known(100)).hasSizeGreaterThanOrEqualTo(n - 1);
        // The first node heard of the late joiners through forwarding, up to the hop budget of 3.
        assertThat(nodes.get(0).lookup(identities.get(4).peerId())).isPresent();
        assertThat(nodes.get(0).lookup(identities.get(9).peerId())).isEmpty();
    }
}
