package io.crust.core.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustNode;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.wire.WireCodec;
import io.crust.core.wire.WireMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RESUME is the dialled side's answer to the resumption offer that the dialling side's handshake carried
 * (docs/connection-group.md, "Resumption"). An authenticated peer below the node API (see
 * {@link RawPeer}) that dials the node with no offer and then sends a RESUME itself breaks the protocol
 * twice over: the node must report it and end the peer, not take it for a continuation.
 */
class UnofferedResumeTest {
    @RegisterExtension
    final ProofNodes nodes = new ProofNodes();

    @Test
    void aResumeFromAPeerThatDialledWithoutAnOfferIsAProtocolViolationThatEndsThePeer() throws Exception {
        CrustNode node = nodes.start();
        try (RawPeer peer = RawPeer.connect(ProofNodes.tcp(node), "proof", HandshakeParams.MAX_MESSAGE_BYTES_LIMIT)) {
            ProofNodes.await(node, CrustEvent.PeerConnected.class);
            peer.channel().send(new WireCodec(1 << 20).encode(new WireMessage.Resume(true, 0)));

            Misbehaviour m = ProofNodes.await(node, Misbehaviour.class);
            assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.PROTOCOL_VIOLATION);
            assertThat(m.peer()).isEqualTo(peer.identity().peerId());
            assertThat(m.detail()).contains("unexpected Resume message");
            assertThat(ProofNodes.await(node, CrustEvent.PeerLost.class).peer()).isEqualTo(peer.identity().peerId());
            assertThat(peer.awaitClosedByRemote(ProofNodes.WAIT)).as("the node closed the connection").isTrue();
        }
        assertThat(node.peers()).isEmpty();
    }
}
