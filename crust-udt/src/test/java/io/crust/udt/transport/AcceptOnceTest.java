package io.crust.udt.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.udt.PollerWarmup;
import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import io.crust.udt.packet.InitialPacket;
import io.crust.udt.packet.PacketType;
import io.crust.udt.packet.RetryPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One client handshake opens at most one connection (reliability.md F8): a copy of the client's
 * INITIAL (a retransmission, or a replay from the same address) arriving after the server ended the
 * connection it opened must not hand accept() the same connection again.
 */
class AcceptOnceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long CLIENT_ID = 0x1234_5678_9ABCL;

    @BeforeAll
    static void warmUp() throws Exception {
        PollerWarmup.run();
    }

    @Test
    void aLateCopyOfAnAcceptedHandshakeDoesNotOpenTheConnectionAgain() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (UdtEndpoint server = UdtEndpoint.bind(loopback, UdtConfig.defaults());
             DatagramChannel client = DatagramChannel.open().bind(loopback)) {
            // INITIAL without a cookie: the server answers RETRY with one, and remembers nothing.
            client.send(initial(new byte[0]), server.localAddress());
            ByteBuffer answer = ByteBuffer.allocate(2048);
            client.receive(answer);
            RetryPacket retry = RetryPacket.decode(answer.flip());

            ByteBuffer withCookie = initial(retry.cookie());
            client.send(withCookie.duplicate(), server.localAddress());
            UdtConnection first = server.accept(WAIT);
            assertThat(first).isNotNull();
            first.abort();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (server.stats().activeConnections() > 0) { // the connection's thread ends and unregisters it
                assertThat(System.nanoTime()).as("the aborted connection never ended").isLessThan(deadline);
                Thread.sleep(10); // polling the counter
            }

            long rejectedBefore = server.stats().handshakesRejected();
            client.send(withCookie.duplicate(), server.localAddress()); // the late copy, cookie still valid
            awaitHandshakesRejected(server, rejectedBefore + 1);
            assertThatThrownBy(() -> server.accept(Duration.ofMillis(500))).as("a second connection for one handshake")
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    private static ByteBuffer initial(byte[] cookie) {
        ByteBuffer b = ByteBuffer.allocate(InitialPacket.MIN_BYTES + cookie.length);
        new InitialPacket(PacketType.PROTOCOL_VERSION, false, CLIENT_ID, cookie).encodeTo(b);
        return b.flip();
    }

    private static void awaitHandshakesRejected(UdtEndpoint server, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.stats().handshakesRejected() < atLeast) {
            assertThat(System.nanoTime()).as("handshakesRejected never reached " + atLeast).isLessThan(deadline);
            Thread.sleep(10); // polling the counter
        }
    }
}
