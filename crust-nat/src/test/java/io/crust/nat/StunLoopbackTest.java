package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.stun.StunAttribute;
import io.crust.nat.stun.StunMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our STUN client against our STUN server, on loopback; the RFC 5780 server uses 127.0.0.1 and 127.0.0.2. */
class StunLoopbackTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FAST_RTO = Duration.ofMillis(100);

    private DatagramChannelPort client;

    @BeforeEach
    void openClient() throws Exception {
        client = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void closeClient() throws Exception {
        client.close();
    }

    @Test
    void clientLearnsItsOwnLoopbackAddressFromTheServer() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            StunClient.Binding b = new StunClient(client).binding(server.address(), TIMEOUT);

            assertThat(b.mapped()).isEqualTo(client.localAddress());
            assertThat(b.responseOrigin()).isEqualTo(server.address());
            assertThat(b.otherAddress()).isNull();
        }
    }

    @Test
    void rfc5780ServerAnswersChangeRequestsFromItsOtherAddresses() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                InetAddress.getByName("127.0.0.2"), 0)) {
            StunClient stun = new StunClient(client, d -> { }, FAST_RTO);
            InetSocketAddress other = server.otherAddress().orElseThrow();

            StunClient.Binding plain = stun.binding(server.address(), TIMEOUT);
            StunClient.Binding both = stun.binding(server.address(), StunClient.Request.change(true, true), TIMEOUT);
            StunClient.Binding portOnly = stun.binding(server.address(), StunClient.Request.change(false, true), TIMEOUT);

            assertThat(plain.otherAddress()).isEqualTo(other);
            assertThat(both.respondedFrom()).isEqualTo(other);
            assertThat(both.responseOrigin()).isEqualTo(other);
            assertThat(portOnly.respondedFrom())
                    .isEqualTo(new InetSocketAddress(server.address().getAddress(), other.getPort()));
        }
    }

    @Test
    void singleAddressServerRefusesChangeRequestWithError420() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            StunClient stun = new StunClient(client, d -> { }, FAST_RTO);

            assertThatThrownBy(() -> stun.binding(server.address(), StunClient.Request.change(true, true), TIMEOUT))
                    .isInstanceOf(NatException.class)
                    .hasMessageContaining("420");
        }
    }

    @Test
    void responsePortSendsTheAnswerToAnotherPortOfTheSameHost() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, 0);
                DatagramChannelPort elsewhere = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] id = StunMessage.newTransactionId();
            int p = elsewhere.localAddress().getPort();
            client.send(StunMessage.builder(StunMessage.BINDING_REQUEST, id)
                    .add(StunAttribute.RESPONSE_PORT, new byte[] {(byte) (p >>> 8), (byte) p, 0, 0}).encode(), server.address());

            DatagramPort.Datagram d = elsewhere.receive(TIMEOUT);

            assertThat(d).isNotNull();
            assertThat(StunMessage.decode(d.data()).inTransaction(id)).isTrue();
        }
    }

    @Test
    void silentServerGivesAClearTimeoutError() throws Exception {
        try (DatagramChannelPort silent = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            StunClient stun = new StunClient(client, d -> { }, FAST_RTO);

            assertThatThrownBy(() -> stun.binding(silent.localAddress(), Duration.ofMillis(400)))
                    .isInstanceOf(NatTimeoutException.class)
                    .hasMessageContaining("no STUN answer from " + silent.localAddress());
        }
    }

    @Test
    void bindingsReturnsEveryServersAnswerInTheServersOrder() throws Exception {
        try (StunServer first = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                StunServer second = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            var answers = new StunClient(client, d -> { }, FAST_RTO).bindings(List.of(second.address(), first.address()), TIMEOUT);

            assertThat(answers.keySet()).containsExactly(second.address(), first.address());
            assertThat(answers.values()).extracting(StunClient.Binding::mapped).containsOnly(client.localAddress());
        }
    }

    @Test
    void aSilentServerHoldsUpBindingsOnlyBrieflyOnceAnotherHasAnswered() throws Exception {
        try (StunServer answering = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramChannelPort silent = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Duration timeout = Duration.ofSeconds(30);
            long start = System.nanoTime();
            var answers = new StunClient(client, d -> { }, FAST_RTO).bindings(List.of(silent.localAddress(), answering.address()),
                    timeout);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(answers.keySet()).containsExactly(answering.address());
            // The first answer on loopback takes well under a millisecond: the silent one then gets 100 ms
            // (asked one after the other, it would have held the call for the whole timeout).
            assertThat(took).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void aServerThatCannotBeSentToIsLeftOutAndTheOthersStillAnswer() throws Exception {
        try (StunServer answering = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            // The client's socket is bound to 127.0.0.1: it has no route to an IPv6 address.
            InetSocketAddress unreachable = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 3478);

            var answers = new StunClient(client, d -> { }, FAST_RTO).bindings(List.of(unreachable, answering.address()),
                    TIMEOUT);

            assertThat(answers.keySet()).containsExactly(answering.address());
        }
    }

    @Test
    void garbageAndForeignResponsesAreSkippedWhileWaitingForTheRealAnswer() throws Exception {
        try (DatagramChannelPort fake = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread answerer = Thread.ofVirtual().start(() -> {
                try {
                    DatagramPort.Datagram request = fake.receive(TIMEOUT);
                    StunMessage m = StunMessage.decode(request.data());
                    fake.send(ByteBuffer.wrap(new byte[] {0, 1, 2}), request.sender());
                    fake.send(StunMessage.builder(StunMessage.BINDING_SUCCESS, StunMessage.newTransactionId())
                            .add(StunAttribute.XOR_MAPPED_ADDRESS, new byte[8]).encode(), request.sender());
                    fake.send(StunServer.respond(request.data(), request.sender()).orElseThrow(), request.sender());
                    assertThat(m.type()).isEqualTo(StunMessage.BINDING_REQUEST);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            StunClient.Binding b = new StunClient(client).binding(fake.localAddress(), TIMEOUT);
            answerer.join();

            assertThat(b.mapped()).isEqualTo(client.localAddress());
        }
    }

    @Test
    void respondIgnoresIndicationsResponsesAndGarbage() {
        InetSocketAddress sender = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000);

        assertThat(StunServer.respond(BindingKeepalive.indication(), sender)).isEmpty();
        assertThat(StunServer.respond(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), sender)).isEmpty();
        assertThat(StunServer.respond(StunMessage.builder(StunMessage.BINDING_SUCCESS, StunMessage.newTransactionId())
                .encode(), sender)).isEmpty();
    }

    @Test
    void classicRfc3489RequestGetsMappedAddressWithoutFingerprint() throws Exception {
        byte[] classicId = new byte[16];
        classicId[15] = 7;
        ByteBuffer request = StunMessage.builder(StunMessage.BINDING_REQUEST, classicId).encode(null, false);
        InetSocketAddress sender = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 4000);

        StunMessage response = StunMessage.decode(StunServer.respond(request, sender).orElseThrow());

        assertThat(response.hasMagicCookie()).isFalse();
        assertThat(response.has(StunAttribute.XOR_MAPPED_ADDRESS)).isFalse();
        assertThat(io.crust.nat.stun.StunAddress.decode(response.attribute(StunAttribute.MAPPED_ADDRESS))).isEqualTo(sender);
    }

    @Test
    void keepaliveSendsIndicationsUntilClosed() throws Exception {
        try (DatagramChannelPort remote = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            BindingKeepalive keepalive = BindingKeepalive.start(client, remote.localAddress(), Duration.ofMillis(50));
            for (int i = 0; i < 3; i++) {
                DatagramPort.Datagram d = remote.receive(TIMEOUT);
                assertThat(d).isNotNull();
                assertThat(StunMessage.decode(d.data()).type()).isEqualTo(StunMessage.BINDING_INDICATION);
            }
            keepalive.close();
            long sent = keepalive.sent();
            for (long i = 3; i < sent; i++) {
                remote.receive(TIMEOUT);
            }

            assertThatThrownBy(() -> remote.receive(Duration.ofMillis(300))).isInstanceOf(SocketTimeoutException.class);
            assertThat(keepalive.sent()).isEqualTo(sent);
        }
    }
}
