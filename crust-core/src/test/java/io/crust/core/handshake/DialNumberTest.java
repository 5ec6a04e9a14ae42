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

/** The initiator's dial number: what both ends of a connection rank it by among one side's dials. */
class DialNumberTest {
    private static final HandshakeParams PARAMS = HandshakeParams.defaults("dial-numbers");

    @Test
    void bothEndsOfAChannelSeeTheInitiatorsDialNumberAndALaterDialHasALargerOne() throws Exception {
        FramePipe one = FramePipe.create(65535);
        FramePipe two = FramePipe.create(65535);
        try (ChannelPair first = ChannelPair.connect(one.a(), one.b(), PARAMS);
                ChannelPair second = ChannelPair.connect(two.a(), two.b(), PARAMS)) {
            assertThat(first.responder().dialNumber()).isEqualTo(first.initiator().dialNumber());
            assertThat(second.responder().dialNumber()).isEqualTo(second.initiator().dialNumber());
            assertThat(second.initiator().dialNumber()).isGreaterThan(first.initiator().dialNumber());
            assertThat(first.initiator().dialNumber()).isPositive();
        }
    }

    @Test
    void aResponderRefusesAnInitiatorWhoseProofCarriesNoDialNumber() throws Exception {
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        FramePipe pipe = FramePipe.create(65535);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SecureChannel> bobSide = executor.submit(() -> SecureChannel.respond(pipe.b(), bob, PARAMS));
            HandshakeState state = new HandshakeState(XxHandshake.PROTOCOL, true, XxHandshake.PROLOGUE,
                    alice.noiseStaticKeyPair(), null, null, null, List.of(), new SecureRandom(), AeadProvider.FASTEST);
            byte[] message1 = state.writeMessage(HandshakePayload.Hello.of(PARAMS).encode());
            pipe.a().writeFrame(message1, 0, message1.length);
            state.readMessage(pipe.a().readFrame());
            byte[] message3 = state.writeMessage(XxHandshake.identityProof(alice, PARAMS, 0, null).encode());
            pipe.a().writeFrame(message3, 0, message3.length);

            assertThatThrownBy(() -> bobSide.get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(HandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_VIOLATION))
                    .hasMessageContaining("no positive dial number");
        }
    }
}
