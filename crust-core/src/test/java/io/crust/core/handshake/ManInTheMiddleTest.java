package io.crust.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.HandshakeException;
import io.crust.core.HandshakeException.Reason;
import io.crust.core.Identity;
import io.crust.core.frame.FramePipe;
import io.crust.core.noise.AeadProvider;
import io.crust.core.noise.HandshakeState;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Alice dials Bob's peer id; Mallory sits on the path (pipe Alice-Mallory, pipe Mallory-Bob) and
 * relays between two real channels.
 */
class ManInTheMiddleTest {
    private static final HandshakeParams PARAMS = HandshakeParams.defaults("mitm-net");

    @Test
    void diallingAKnownPeerFailsWithWrongPeerWhenTheResponderProvesAnotherKey() throws Exception {
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        Identity mallory = Identity.generate();
        FramePipe aliceToMallory = FramePipe.create(65535);
        FramePipe malloryToBob = FramePipe.create(65535);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SecureChannel> bobSide = executor.submit(() -> SecureChannel.respond(malloryToBob.b(), bob, PARAMS));
            // Mallory answers Alice with her own identity and dials Bob as herself, to relay between them.
            Future<SecureChannel> malloryFacingAlice = executor.submit(() -> SecureChannel.respond(aliceToMallory.b(), mallory, PARAMS));
            Future<SecureChannel> malloryFacingBob = executor.submit(
                    () -> SecureChannel.initiate(malloryToBob.a(), mallory, bob.peerId(), PARAMS));

            assertThatThrownBy(() -> SecureChannel.initiate(aliceToMallory.a(), alice, bob.peerId(), PARAMS))
                    .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_PEER))
                    .hasMessageContaining(bob.peerId().toString())
                    .hasMessageContaining("proved identity " + mallory.peerId());
            // Alice told Mallory why she hung up, and never revealed her identity to her.
            assertThatThrownBy(() -> malloryFacingAlice.get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOfSatisfying(HandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_PEER));
            malloryFacingBob.get(30, TimeUnit.SECONDS).close();
            bobSide.get(30, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void replayingTheRealPeersIdentityProofWithAnotherNoiseKeyFailsAuthentication() throws Exception {
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        Identity mallory = Identity.generate();
        FramePipe aliceToMallory = FramePipe.create(65535);
        FramePipe malloryToBob = FramePipe.create(65535);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SecureChannel> bobSide = executor.submit(() -> SecureChannel.respond(malloryToBob.b(), bob, PARAMS));
            Future<SecureChannel> aliceSide = executor.submit(
                    () -> SecureChannel.initiate(aliceToMallory.a(), alice, bob.peerId(), PARAMS));

            // Mallory runs raw Noise on both sides with her own static key and forwards payloads.
            HandshakeState towardsBob = state(true, mallory);
            HandshakeState towardsAlice = state(false, mallory);
            byte[] hello = towardsAlice.readMessage(aliceToMallory.b().readFrame());
            byte[] message1 = towardsBob.writeMessage(hello);
            malloryToBob.a().writeFrame(message1, 0, message1.length);
            byte[] bobsProof = towardsBob.readMessage(malloryToBob.a().readFrame());
            assertThat(HandshakePayload.decode(bobsProof)).isInstanceOf(HandshakePayload.IdentityProof.class);
            byte[] message2 = towardsAlice.writeMessage(bobsProof);
            aliceToMallory.b().writeFrame(message2, 0, message2.length);

            assertThatThrownBy(() -> aliceSide.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(HandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED))
                    .hasMessageContaining("without a valid signature");
            malloryToBob.a().close();
            assertThatThrownBy(() -> bobSide.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(HandshakeException.class);
        }
    }

    private static HandshakeState state(boolean initiator, Identity identity) {
        return new HandshakeState(XxHandshake.PROTOCOL, initiator, XxHandshake.PROLOGUE, identity.noiseStaticKeyPair(),
                null, null, null, List.of(), new SecureRandom(), AeadProvider.FASTEST);
    }
}
