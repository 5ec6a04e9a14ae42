package io.crust.core.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.crust.core.CrustEvent;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustNode;
import io.crust.core.handshake.HandshakeParams;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An authenticated peer that announces or sends messages above the node's limit, from below the node
 * API (see {@link RawPeer}). The node must cut it off with an {@code OVERSIZED_FRAME} misbehaviour and
 * never allocate what was claimed. Allocation is measured with the JVM's allocated-bytes counter across
 * all threads (virtual threads count on their carriers), from before the first byte leaves until the
 * event arrives.
 */
class OversizedFrameTest {
    private static final int MIB = 1024 * 1024;

    @RegisterExtension
    final ProofNodes nodes = new ProofNodes();

    @Test
    void aMessageAnnouncedAt64MiBIsCutOffWithoutAllocatingIt() throws Exception {
        CrustNode node = nodes.start(); // maxMessageBytes: the default, 1 MiB
        int claimed = 64 * MIB;
        byte[] message = new byte[claimed];
        try (RawPeer attacker = RawPeer.connect(ProofNodes.tcp(node), "proof", HandshakeParams.MAX_MESSAGE_BYTES_LIMIT)) {
            ProofNodes.await(node, CrustEvent.PeerConnected.class);
            attacker.letOnly(1); // the first record: its header says 64 MiB follow
            long allocatedBefore = Resources.totalAllocatedBytes();
            assertThatThrownBy(() -> attacker.channel().send(message)).isInstanceOf(IOException.class)
                    .hasMessageContaining("held back by the test");

            List<CrustEvent> seen = new ArrayList<>();
            Misbehaviour m = ProofNodes.await(node, Misbehaviour.class, e -> true, seen::add);
            long allocated = Resources.totalAllocatedBytes() - allocatedBefore;
            assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.OVERSIZED_FRAME);
            assertThat(m.peer()).isEqualTo(attacker.identity().peerId());
            assertThat(allocated).as("bytes allocated in the whole JVM while the node refused the claim").isLessThan(claimed / 4);
            assertThat(ProofNodes.await(node, CrustEvent.PeerLost.class).peer()).isEqualTo(attacker.identity().peerId());
            assertThat(attacker.awaitClosedByRemote(ProofNodes.WAIT)).as("the node closed the connection").isTrue();
            Figures.print("oversized", "announced %d MiB (limit 1 MiB): %s after one 64 KiB frame; allocated in the JVM "
                    + "meanwhile: %.2f MiB; detail: %s", claimed / MIB, m.kind(), Resources.mib(allocated), m.detail());
        }
        assertThat(node.peers()).isEmpty();
    }

    @Test
    void aWholeMessageJustOverTheLimitIsCutOffAtTheWireLayer() throws Exception {
        int limit = 64 * 1024;
        CrustNode node = nodes.start(c -> c.maxMessageBytes(limit));
        try (RawPeer attacker = RawPeer.connect(ProofNodes.tcp(node), "proof", HandshakeParams.MAX_MESSAGE_BYTES_LIMIT)) {
            ProofNodes.await(node, CrustEvent.PeerConnected.class);
            byte[] app = new byte[1 + limit + 1];
            app[0] = 0x02; // APP, see io.crust.core.wire.WireMessage: type byte, then the payload
            attacker.channel().send(app);

            Misbehaviour m = ProofNodes.await(node, Misbehaviour.class);
            assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.OVERSIZED_FRAME);
            assertThat(m.peer()).isEqualTo(attacker.identity().peerId());
            assertThat(ProofNodes.await(node, CrustEvent.PeerLost.class).peer()).isEqualTo(attacker.identity().peerId());
            assertThat(attacker.awaitClosedByRemote(ProofNodes.WAIT)).as("the node closed the connection").isTrue();
            Figures.print("oversized", "whole APP message of %d bytes (limit %d): %s; detail: %s", app.length - 1, limit,
                    m.kind(), m.detail());
        }
    }

    @Test
    void manyPeersAnnouncingHugeMessagesLeaveTheHeapWhereItWas() throws Exception {
        CrustNode node = nodes.start();
        byte[] message = new byte[16 * MIB];
        Resources before = Resources.withoutThreadDump();
        int attackers = 20;
        for (int i = 0; i < attackers; i++) {
            try (RawPeer attacker = RawPeer.connect(ProofNodes.tcp(node), "proof", HandshakeParams.MAX_MESSAGE_BYTES_LIMIT)) {
                // Sent before the node announced the peer, the claim twice went unreported (no event within 60 s,
                // 2 runs in about 14; docs/reliability.md section 6): wait for PeerConnected, as the 64 MiB case does.
                ProofNodes.await(node, CrustEvent.PeerConnected.class);
                attacker.letOnly(1);
                Throwable sent = catchThrowable(() -> attacker.channel().send(message));
                assertThat(sent).isInstanceOf(IOException.class);
                List<CrustEvent> seen = new ArrayList<>();
                CrustEvent m;
                try {
                    // The node's writer can fail on the attacker's half-closed socket before its reader
                    // meets the announcement (seen in CI): the peer is then cut as lost, also bounded.
                    m = ProofNodes.await(node, CrustEvent.class,
                            e -> e instanceof Misbehaviour || e instanceof CrustEvent.PeerLost, seen::add);
                } catch (AssertionError none) {
                    throw new AssertionError("attacker " + i + ": no misbehaviour; events: " + seen + "; send threw " + sent
                            + "; node peers " + node.peers(), none);
                }
                if (m instanceof Misbehaviour mb) {
                    assertThat(mb.kind()).as("attacker %d; events before: %s; send threw %s", i, seen, sent)
                            .isEqualTo(Misbehaviour.Kind.OVERSIZED_FRAME);
                }
                assertThat(attacker.awaitClosedByRemote(ProofNodes.WAIT)).isTrue();
            }
        }
        Resources after = Resources.withoutThreadDump();
        assertThat(after.heapBytes()).as("heap %s, then %s", before, after).isLessThan(before.heapBytes() + 8L * MIB);
        Figures.print("oversized", "%d peers in turn announcing 16 MiB each: before %s, after %s", attackers, before, after);
    }
}
