package io.crust.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.HandshakeException;
import io.crust.core.Identity;
import io.crust.core.frame.FramePipe;
import io.crust.core.frame.Mutator;
import io.crust.core.noise.AeadProvider;
import io.crust.core.noise.CipherState;
import io.crust.core.noise.HandshakeState;
import java.io.EOFException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of everything that parses bytes from a peer during and after the handshake.
 * Every input must end in a result or in the documented exception types, never in a runtime
 * exception, an error or a hang.
 */
class HandshakeFuzzTest {
    private static final long SEED = 0xc0ffee_5eedL;
    private static final HandshakeParams PARAMS = HandshakeParams.defaults("fuzz-net");

    @Test
    void mutatedHandshakePayloadsDecodeOrFailWithAHandshakeException() {
        Identity identity = Identity.generate();
        List<byte[]> seeds = List.of(
                HandshakePayload.Hello.of(PARAMS).encode(),
                XxHandshake.identityProof(identity, PARAMS, 0, null).encode(),
                XxHandshake.identityProof(identity, PARAMS, 1_765_000_000_000_000L, null).encode(),
                XxHandshake.identityProof(identity, PARAMS, 9, new ResumeOffer(new byte[ResumeOffer.TAG_BYTES], 3)).encode(),
                new HandshakePayload.Reject(HandshakeException.Reason.NETWORK_MISMATCH, "other network").encode());
        Random random = new Random(SEED);
        int decoded = 0;
        for (int i = 0; i < 9_000; i++) {
            byte[] input = Mutator.mutate(seeds.get(i % seeds.size()), random);
            try {
                HandshakePayload.decode(input);
                decoded++;
            } catch (HandshakeException expected) {
                assertThat(expected.reason()).isNotNull();
            }
        }
        assertThat(decoded).as("some mutations stay valid").isPositive();
    }

    @Test
    void mutatedNoiseHandshakeMessagesAreRejectedWithSecurityExceptions() throws Exception {
        Random random = new Random(SEED + 1);
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        int rejected = 0;
        for (int i = 0; i < 600; i++) {
            HandshakeState initiator = state(true, alice);
            HandshakeState responder = state(false, bob);
            byte[] message1 = initiator.writeMessage(HandshakePayload.Hello.of(PARAMS).encode());
            if (i % 2 == 0) {
                // Message 1 is an ephemeral key and a clear payload: anything of 32 bytes or more parses.
                try {
                    responder.readMessage(Mutator.mutate(message1, random));
                } catch (GeneralSecurityException expected) {
                    rejected++;
                }
                continue;
            }
            responder.readMessage(message1);
            byte[] message2 = responder.writeMessage(XxHandshake.identityProof(bob, PARAMS, 0, null).encode());
            byte[] mutated = Mutator.mutate(message2, random);
            // Message 2 is authenticated from its ephemeral key on: every change must be rejected.
            try {
                initiator.readMessage(mutated);
                assertThat(mutated).as("accepted message 2").isEqualTo(message2);
            } catch (GeneralSecurityException expected) {
                rejected++;
            }
        }
        assertThat(rejected).isGreaterThan(290);
    }

    @Test
    void mutatedChannelRecordsEndInChannelExceptionsNeverRuntimeErrors() throws Exception {
        Random random = new Random(SEED + 2);
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        List<byte[]> seeds = List.of(
                new byte[] {1, 0, 0, 0, 3, 'a', 'b', 'c'},
                new byte[] {1, 0, 0, 0, 6, 'a', 'b', 'c', 2, 'd', 'e', 'f'},
                new byte[] {3, 0, 0, 4, 'b', 'y', 'e', '!'},
                new byte[] {3, 1, 0, 0},
                new byte[] {2, 'x'});
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 300; i++) {
                FramePipe pipe = FramePipe.create(65535);
                Future<SecureChannel> responder = executor.submit(() -> SecureChannel.respond(pipe.b(), bob, PARAMS));
                CipherState sender = rawInitiator(pipe, alice);
                SecureChannel channel = responder.get(30, TimeUnit.SECONDS);
                byte[] record = Mutator.mutate(seeds.get(i % seeds.size()), random);
                // A two-chunk seed may be split across frames at a random point.
                int cut = record.length > 1 && random.nextBoolean() ? 1 + random.nextInt(record.length - 1) : record.length;
                send(pipe, sender, java.util.Arrays.copyOfRange(record, 0, cut));
                if (cut < record.length) {
                    send(pipe, sender, java.util.Arrays.copyOfRange(record, cut, record.length));
                }
                pipe.a().close();
                try {
                    while (true) {
                        byte[] message = channel.receive();
                        assertThat(message.length).isLessThanOrEqualTo(PARAMS.maxMessageBytes());
                    }
                } catch (EOFException | ChannelProtocolException | MessageTooLargeException | HandshakeException expected) {
                    assertThat(channel.isOpen()).isFalse();
                }
            }
        }
    }

    private static void send(FramePipe pipe, CipherState sender, byte[] record) throws Exception {
        byte[] frame = sender.encryptWithAd(new byte[0], record);
        pipe.a().writeFrame(frame, 0, frame.length);
    }

    /** Completes the handshake by hand as initiator and returns its sending CipherState. */
    private static CipherState rawInitiator(FramePipe pipe, Identity me) throws Exception {
        HandshakeState state = state(true, me);
        byte[] message1 = state.writeMessage(HandshakePayload.Hello.of(PARAMS).encode());
        pipe.a().writeFrame(message1, 0, message1.length);
        state.readMessage(pipe.a().readFrame());
        byte[] message3 = state.writeMessage(XxHandshake.identityProof(me, PARAMS, 7, null).encode());
        pipe.a().writeFrame(message3, 0, message3.length);
        return state.split().sender();
    }

    private static HandshakeState state(boolean initiator, Identity identity) {
        return new HandshakeState(XxHandshake.PROTOCOL, initiator, XxHandshake.PROLOGUE, identity.noiseStaticKeyPair(),
                null, null, null, List.of(), new SecureRandom(), AeadProvider.FASTEST);
    }
}
