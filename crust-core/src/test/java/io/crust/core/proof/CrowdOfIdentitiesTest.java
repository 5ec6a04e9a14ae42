package io.crust.core.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.wire.WireCodec;
import io.crust.core.wire.WireMessage;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/reliability.md F3: identities cost nothing, so a crowd of fresh ones can try to hold every
 * connection slot. Raw peers with fresh identities connect from 127.0.1.x (one /24) and stay; a
 * node from 127.0.0.1 (another /24) must still connect at its first attempt.
 */
class CrowdOfIdentitiesTest {
    private static final int MAX_BYTES = HandshakeParams.DEFAULT_MAX_MESSAGE_BYTES;

    @RegisterExtension
    final ProofNodes nodes = new ProofNodes();

    @Test
    void aCrowdOfFreshIdentitiesDoesNotLockOutAKnownPeer() throws Exception {
        CrustNode node = nodes.start(c -> c.maxConnections(8));
        List<RawPeer> crowd = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                crowd.add(RawPeer.connect(ProofNodes.tcp(node), "proof", MAX_BYTES, crowdAddress(i)));
                ProofNodes.await(node, CrustEvent.PeerConnected.class);
            }
            CrustNode known = nodes.start();
            Peer peer = known.connect(ProofNodes.tcp(node), ProofNodes.WAIT);
            assertThat(peer.isOpen()).isTrue();
            ProofNodes.await(node, CrustEvent.PeerConnected.class, c -> c.peer().id().equals(known.id()));
            // One of the crowd made room: its connection was closed.
            CrustEvent.PeerLost evicted = ProofNodes.await(node, CrustEvent.PeerLost.class);
            assertThat(evicted.reason()).isEqualTo(CrustEvent.PeerLost.Reason.EVICTED);
            assertThat(evicted.detail()).contains("evicted");
            assertThat(crowd.stream().map(r -> r.identity().peerId()).toList()).contains(evicted.peer());
            assertThat(node.peers()).hasSize(8).extracting(Peer::id).contains(known.id());
        } finally {
            for (RawPeer r : crowd) {
                r.close();
            }
        }
    }

    @Test
    void aPeerTheApplicationTalksToIsNeverEvicted() throws Exception {
        CrustNode node = nodes.start(c -> c.maxConnections(2));
        WireCodec codec = new WireCodec(MAX_BYTES);
        try (RawPeer talker = RawPeer.connect(ProofNodes.tcp(node), "proof", MAX_BYTES, crowdAddress(0));
                RawPeer other = RawPeer.connect(ProofNodes.tcp(node), "proof", MAX_BYTES, crowdAddress(1))) {
            ProofNodes.await(node, CrustEvent.PeerConnected.class);
            ProofNodes.await(node, CrustEvent.PeerConnected.class);
            talker.channel().send(codec.encode(new WireMessage.App(new byte[] {1})));
            other.channel().send(codec.encode(new WireMessage.App(new byte[] {2})));
            ProofNodes.await(node, CrustEvent.MessageReceived.class);
            ProofNodes.await(node, CrustEvent.MessageReceived.class);

            // Both peers carried application data: there is no one to evict, the newcomer is refused.
            try (RawPeer newcomer = RawPeer.connect(ProofNodes.tcp(node), "proof", MAX_BYTES, crowdAddress(2))) {
                assertThat(newcomer.awaitClosedByRemote(ProofNodes.WAIT)).isTrue();
            } catch (java.io.IOException refusedDuringHandshake) {
                // refused before the handshake finished: as good
            }
            Misbehaviour refused = ProofNodes.await(node, Misbehaviour.class);
            assertThat(refused.kind()).isEqualTo(Misbehaviour.Kind.LIMIT_EXCEEDED);
            assertThat(node.peers()).extracting(Peer::id)
                    .containsExactlyInAnyOrder(talker.identity().peerId(), other.identity().peerId());
        }
    }

    @Test
    void oneNetworkHoldsOnlyItsShareOfTheConnections() throws Exception {
        CrustNode node = nodes.start(c -> c.maxConnections(16).maxConnectionsPerPrefix(4).maxConnectionsPerAddress(2));
        List<RawPeer> crowd = new ArrayList<>();
        int refused = 0;
        try {
            for (int i = 0; i < 8; i++) {
                try {
                    RawPeer r = RawPeer.connect(ProofNodes.tcp(node), "proof", MAX_BYTES, crowdAddress(i % 3));
                    crowd.add(r);
                } catch (java.io.IOException e) {
                    refused++;
                }
            }
            // Refused at admission (no handshake) or right after it: either way at most 4 are connected.
            CrustNode known = nodes.start();
            known.connect(ProofNodes.tcp(node), ProofNodes.WAIT);
            ProofNodes.await(node, CrustEvent.PeerConnected.class, c -> c.peer().id().equals(known.id()));
            List<Peer> peers = node.peers();
            assertThat(peers).extracting(Peer::id).contains(known.id());
            assertThat(peers.size() - 1).isLessThanOrEqualTo(4);
            assertThat(refused + crowd.stream().filter(r -> r.awaitClosedByRemote(java.time.Duration.ofMillis(1))).count())
                    .isGreaterThanOrEqualTo(4);
        } finally {
            for (RawPeer r : crowd) {
                r.close();
            }
        }
    }

    /** Sources in 127.0.1.0/24: a different /24 from the known peer's 127.0.0.1. */
    private static InetAddress crowdAddress(int i) throws java.net.UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) (2 + i)});
    }
}
