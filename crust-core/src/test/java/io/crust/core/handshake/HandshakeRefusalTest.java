package io.crust.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.HandshakeException;
import io.crust.core.HandshakeException.Reason;
import io.crust.core.Identity;
import io.crust.core.frame.FramePipe;
import java.io.EOFException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.crust.testkit.NoPinning;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Peers that must not talk refuse each other during the handshake, and both sides say why. */
@NoPinning
class HandshakeRefusalTest {
    @BeforeAll
    static void initializeClasses() throws Exception {
        ClassWarmUp.handshakeOnce();
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private record Outcome(HandshakeException initiator, HandshakeException responder) {
    }

    private static Outcome failingHandshake(HandshakeParams initiatorParams, HandshakeParams responderParams) throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        Identity bob = Identity.generate();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SecureChannel> responder = executor.submit(() -> SecureChannel.respond(pipe.b(), bob, responderParams));
            HandshakeException initiatorFailure = null;
            try {
                SecureChannel channel = SecureChannel.initiate(pipe.a(), Identity.generate(), bob.peerId(), initiatorParams);
                channel.receive(); // a refusal after the last handshake message arrives as the first record
            } catch (HandshakeException e) {
                initiatorFailure = e;
            }
            HandshakeException responderFailure = null;
            try {
                responder.get(30, TimeUnit.SECONDS).close();
            } catch (ExecutionException e) {
                responderFailure = (HandshakeException) e.getCause();
            }
            return new Outcome(initiatorFailure, responderFailure);
        }
    }

    @Test
    void peersOfDifferentNetworksRefuseEachOtherWithNetworkMismatch() throws Exception {
        Outcome outcome = failingHandshake(new HandshakeParams("alpha", 1, TIMEOUT, 1 << 20),
                new HandshakeParams("beta", 1, TIMEOUT, 1 << 20));
        assertThat(outcome.responder().reason()).isEqualTo(Reason.NETWORK_MISMATCH);
        assertThat(outcome.responder()).hasMessageContaining("another network than 'beta'");
        assertThat(outcome.initiator().reason()).isEqualTo(Reason.NETWORK_MISMATCH);
        assertThat(outcome.initiator()).hasMessageContaining("refused").hasMessageContaining("'beta'");
    }

    @Test
    void peersOfDifferentProtocolVersionsRefuseEachOtherWithVersionMismatch() throws Exception {
        Outcome outcome = failingHandshake(new HandshakeParams("net", 2, TIMEOUT, 1 << 20),
                new HandshakeParams("net", 1, TIMEOUT, 1 << 20));
        assertThat(outcome.responder().reason()).isEqualTo(Reason.VERSION_MISMATCH);
        assertThat(outcome.responder()).hasMessageContaining("version 2, we speak 1");
        assertThat(outcome.initiator().reason()).isEqualTo(Reason.VERSION_MISMATCH);
        assertThat(outcome.initiator()).hasMessageContaining("responder speaks protocol version 1");
    }

    @Test
    void aSilentResponderTimesOutAndTheTransportIsClosed() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        HandshakeParams quick = new HandshakeParams("net", 1, Duration.ofMillis(300), 1 << 20);
        assertThatThrownBy(() -> SecureChannel.initiate(pipe.a(), Identity.generate(), null, quick))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("did not finish within PT0.3S");
        assertThat(pipe.b().readFrame()).as("message 1").hasSize(32 + 11);
        assertThatThrownBy(() -> pipe.b().readFrame()).isInstanceOf(EOFException.class);
    }

    @Test
    void aSilentInitiatorTimesOut() {
        FramePipe pipe = FramePipe.create(65535);
        HandshakeParams quick = new HandshakeParams("net", 1, Duration.ofMillis(300), 1 << 20);
        assertThatThrownBy(() -> SecureChannel.respond(pipe.b(), Identity.generate(), quick))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
    }

    @Test
    void aPeerThatHangsUpMidHandshakeIsReportedAsClosed() {
        FramePipe pipe = FramePipe.create(65535);
        pipe.a().close();
        assertThatThrownBy(() -> SecureChannel.respond(pipe.b(), Identity.generate(), HandshakeParams.defaults("net")))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
    }

    @Test
    void garbageInsteadOfTheFirstMessageIsAProtocolViolation() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        pipe.a().writeFrame(new byte[10], 0, 10);
        assertThatThrownBy(() -> SecureChannel.respond(pipe.b(), Identity.generate(), HandshakeParams.defaults("net")))
                .isInstanceOfSatisfying(HandshakeException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_VIOLATION));
    }

    @Test
    void aTamperedHandshakeMessageFailsAuthentication() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        pipe.b().tamperOutgoing(frame -> {
            frame[frame.length - 1] ^= 1;
            return frame;
        });
        Identity bob = Identity.generate();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SecureChannel> responder = executor.submit(() -> SecureChannel.respond(pipe.b(), bob, HandshakeParams.defaults("n")));
            assertThatThrownBy(() -> SecureChannel.initiate(pipe.a(), Identity.generate(), bob.peerId(), HandshakeParams.defaults("n")))
                    .isInstanceOfSatisfying(HandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.AUTHENTICATION_FAILED));
            assertThatThrownBy(() -> responder.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(HandshakeException.class);
        }
    }
}
