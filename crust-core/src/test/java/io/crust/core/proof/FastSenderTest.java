package io.crust.core.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.handshake.HandshakeParams;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Peers that send more messages per second than {@code messagesPerSecondPerPeer} allows (a token bucket
 * of one second's worth, refilled continuously). The node must report a {@code FLOOD} and disconnect, and
 * let through no more than the bucket allows; a peer within the limit must never be cut.
 */
class FastSenderTest {
    private static final int RATE = 200;

    @RegisterExtension
    final ProofNodes nodes = new ProofNodes();

    @Test
    void aPeerSendingAsFastAsItCanIsCutOffAfterNoMoreThanTheBucketAllows() throws Exception {
        CrustNode node = nodes.start(c -> c.messagesPerSecondPerPeer(RATE));
        CrustNode sender = nodes.start();
        long start = System.nanoTime();
        Peer toNode = sender.connect(ProofNodes.tcp(node), ProofNodes.WAIT);
        int sent = 0;
        try {
            for (; sent < 100_000; sent++) {
                toNode.send(new byte[] {(byte) sent});
            }
        } catch (CrustException cutOff) {
            // the node hung up in the middle of the flood
        }
        int[] delivered = {0};
        Misbehaviour m = ProofNodes.await(node, Misbehaviour.class, e -> true, e -> {
            if (e instanceof CrustEvent.MessageReceived) {
                delivered[0]++;
            }
        });
        double elapsedSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.FLOOD);
        assertThat(m.peer()).isEqualTo(sender.id());
        // A full bucket, plus the refill over the whole time the connection could have lived.
        assertThat(delivered[0]).as("messages delivered before the cut").isLessThanOrEqualTo((int) (RATE + RATE * elapsedSeconds) + 1);
        assertThat(ProofNodes.await(node, CrustEvent.PeerLost.class).peer()).isEqualTo(sender.id());
        assertThat(ProofNodes.await(sender, CrustEvent.PeerLost.class).peer()).isEqualTo(node.id());
        assertThat(sent).as("the sender was stopped long before its 100,000 messages").isLessThan(100_000);
        Figures.print("fast", "limit %d/s: sender queued %d messages before send failed; %d delivered before the FLOOD cut; "
                + "%.1f s from dial to event", RATE, sent, delivered[0], elapsedSeconds);
    }

    @Test
    void heartbeatsCountAgainstTheLimitToo() throws Exception {
        CrustNode node = nodes.start(c -> c.messagesPerSecondPerPeer(RATE));
        try (RawPeer attacker = RawPeer.connect(ProofNodes.tcp(node), "proof", HandshakeParams.DEFAULT_MAX_MESSAGE_BYTES)) {
            ProofNodes.await(node, CrustEvent.PeerConnected.class);
            byte[] heartbeat = {0x03}; // HEARTBEAT: a type byte and no body, never delivered to the application
            int sent = 0;
            try {
                for (; sent < 100_000; sent++) {
                    attacker.channel().send(heartbeat);
                }
            } catch (IOException cutOff) {
                // the node hung up
            }
            Misbehaviour m = ProofNodes.await(node, Misbehaviour.class);
            assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.FLOOD);
            assertThat(m.peer()).isEqualTo(attacker.identity().peerId());
            assertThat(attacker.awaitClosedByRemote(ProofNodes.WAIT)).as("the node closed the connection").isTrue();
            Figures.print("fast", "limit %d/s: a raw peer wrote %d heartbeats before its writes failed; %s", RATE, sent, m.kind());
        }
    }

    @Test
    void aPeerSendingWellWithinItsLimitIsNeverCutOff() throws Exception {
        CrustNode node = nodes.start(c -> c.messagesPerSecondPerPeer(RATE));
        CrustNode sender = nodes.start();
        Peer toNode = sender.connect(ProofNodes.tcp(node), ProofNodes.WAIT);
        int messages = 100;
        // A tenth of the rate, with a pause after each message, so a stalled sender never catches up in a burst.
        CountDownLatch never = new CountDownLatch(1);
        for (int i = 0; i < messages; i++) {
            toNode.send(new byte[] {(byte) i});
            never.await(1000 / (RATE / 10), TimeUnit.MILLISECONDS);
        }
        int received = 0;
        while (received < messages) {
            CrustEvent e = ProofNodes.await(node, CrustEvent.class, x -> x instanceof CrustEvent.MessageReceived
                    || x instanceof Misbehaviour || x instanceof CrustEvent.PeerLost);
            assertThat(e).isInstanceOf(CrustEvent.MessageReceived.class);
            received++;
        }
        assertThat(toNode.isOpen()).isTrue();
        assertThat(node.peer(sender.id())).isPresent();
        Figures.print("fast", "limit %d/s: %d messages at a tenth of it all delivered, still connected", RATE, messages);
    }
}
