package io.crust.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.Identity;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.EOFException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The secure channel over crust-udt on loopback: one frame per UDT message. */
class UdtFrameTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void secureChannelRunsOverCrustUdtOnLoopback() throws Exception {
        UdtConfig config = UdtConfig.builder().maxMessageBytes(TcpFrameTransport.MAX_FRAME_BYTES).build();
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        HandshakeParams params = HandshakeParams.defaults("udt-net");
        try (UdtEndpoint server = UdtEndpoint.bind(any, config);
                UdtEndpoint client = UdtEndpoint.bind(any, config);
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SecureChannel> accepted = executor.submit(() -> {
                UdtConnection connection = server.accept(WAIT);
                return SecureChannel.respond(new UdtFrameTransport(connection), bob, params);
            });
            UdtConnection dialled = client.connect(server.localAddress(), WAIT);
            try (SecureChannel initiator = SecureChannel.initiate(new UdtFrameTransport(dialled), alice, bob.peerId(), params);
                    SecureChannel responder = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                assertThat(initiator.remotePeer()).isEqualTo(bob.peerId());
                assertThat(responder.remotePeer()).isEqualTo(alice.peerId());
                assertThat(initiator.handshakeHash()).isEqualTo(responder.handshakeHash());

                byte[] big = new byte[300_000];
                new Random(5).nextBytes(big);
                Future<?> send = executor.submit(() -> {
                    initiator.send(big);
                    initiator.send("small".getBytes());
                    return null;
                });
                assertThat(responder.receive()).isEqualTo(big);
                assertThat(responder.receive()).isEqualTo("small".getBytes());
                send.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                responder.send("reply".getBytes());
                assertThat(initiator.receive()).isEqualTo("reply".getBytes());

                initiator.close();
                assertThatThrownBy(responder::receive).isInstanceOf(java.io.IOException.class);
            }
        }
    }

    @Test
    void aUdtMessageLargerThanTheFrameLimitIsRefused() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (UdtEndpoint server = UdtEndpoint.bind(any, UdtConfig.defaults());
                UdtEndpoint client = UdtEndpoint.bind(any, UdtConfig.defaults());
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> server.accept(WAIT));
            UdtConnection dialled = client.connect(server.localAddress(), WAIT);
            UdtFrameTransport reader = new UdtFrameTransport(accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS), 1024);
            dialled.send(new byte[1025]);
            assertThatThrownBy(reader::readFrame).isInstanceOf(FrameTooLargeException.class);
            dialled.send(new byte[1024]);
            assertThat(reader.readFrame()).hasSize(1024);
            dialled.close();
            assertThatThrownBy(reader::readFrame).isInstanceOf(EOFException.class);
            reader.close();
        }
    }
}
