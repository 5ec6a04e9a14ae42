package io.crust.udt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.testkit.NoPinning;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real sockets on 127.0.0.1: the whole stack, endpoint to endpoint. */
@NoPinning
class LoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private UdtEndpoint server;
    private UdtEndpoint client;

    @BeforeAll
    static void warmUp() throws Exception {
        PollerWarmup.run();
    }

    @BeforeEach
    void open() throws Exception {
        server = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdtConfig.defaults());
        client = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdtConfig.defaults());
    }

    @AfterEach
    void close() {
        client.close();
        server.close();
    }

    @Test
    void messagesKeepTheirBoundariesAndOrder() throws Exception {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> server.accept(WAIT));
            UdtConnection c = client.connect(server.localAddress(), WAIT);
            UdtConnection s = accepted.get();
            for (int i = 0; i < 100; i++) {
                c.send(("message " + i).getBytes());
            }
            c.send(new byte[0]);
            for (int i = 0; i < 100; i++) {
                assertThat(new String(s.receive(WAIT))).isEqualTo("message " + i);
            }
            assertThat(s.receive(WAIT)).isEmpty();
            s.send("reply".getBytes());
            assertThat(new String(c.receive(WAIT))).isEqualTo("reply");
            assertThat(s.remoteAddress()).isEqualTo(client.localAddress());
            c.close();
            assertThatThrownBy(s::receive).isInstanceOf(EOFException.class);
            s.close();
        }
    }

    @Test
    void fourMegabytesArriveByteExactThroughTheStreamView() throws Exception {
        byte[] data = new byte[4 * 1024 * 1024 + 17];
        new Random(1).nextBytes(data);
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> server.accept(WAIT));
            UdtConnection c = client.connect(server.localAddress(), WAIT);
            UdtConnection s = accepted.get();
            CompletableFuture<byte[]> received = readAll(s, executor);
            try (OutputStream out = c.outputStream()) {
                for (int off = 0; off < data.length; off += 50_000) {
                    out.write(data, off, Math.min(50_000, data.length - off));
                }
            }
            byte[] got = received.get();
            assertThat(MessageDigest.getInstance("SHA-256").digest(got))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(c.stats().bytesSent()).isGreaterThanOrEqualTo(data.length);
        }
    }

    /**
     * A sender held to Ethernet-sized datagrams sends them in segmented batches, which the receiver's
     * kernel may hand over joined (UDP_GRO, on the fast path): split apart again, every byte arrives.
     */
    @Test
    void ethernetSizedDatagramsSentInBatchesArriveByteExactAtAReceiverThatTakesThemJoined() throws Exception {
        byte[] data = new byte[8 * 1024 * 1024 + 5];
        new Random(2).nextBytes(data);
        UdtConfig ethernet = UdtConfig.builder().initialPayloadBytes(1200).maxPayloadBytes(1472).build();
        try (UdtEndpoint sender = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ethernet);
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> server.accept(WAIT));
            UdtConnection c = sender.connect(server.localAddress(), WAIT);
            UdtConnection s = accepted.get();
            CompletableFuture<byte[]> received = readAll(s, executor);
            try (OutputStream out = c.outputStream()) {
                out.write(data);
            }
            assertThat(MessageDigest.getInstance("SHA-256").digest(received.get()))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(server.stats().datagramsIn()).as("one datagram per segment, joined or not")
                    .isGreaterThan(data.length / 1472);
        }
    }

    /** Everything {@code s} receives until the end of its stream, read on {@code executor}. */
    private static CompletableFuture<byte[]> readAll(UdtConnection s, java.util.concurrent.Executor executor) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = s.inputStream()) {
                return in.readAllBytes();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, executor);
    }

    @Test
    void aTransferOverIpv6LoopbackArrivesByteExactStartingFromDatagramsTheIpv6MinimumMtuCarries() throws Exception {
        byte[] data = new byte[1024 * 1024 + 3];
        new Random(6).nextBytes(data);
        InetSocketAddress ipv6Loopback = new InetSocketAddress(InetAddress.getByAddress(new byte[] {
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), 0);
        try (UdtEndpoint server6 = UdtEndpoint.bind(ipv6Loopback, UdtConfig.defaults());
             UdtEndpoint client6 = UdtEndpoint.bind(ipv6Loopback, UdtConfig.defaults());
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> server6.accept(WAIT));
            UdtConnection c = client6.connect(server6.localAddress(), WAIT);
            UdtConnection s = accepted.get();
            assertThat(s.remoteAddress()).isEqualTo(client6.localAddress());
            c.send(data);
            assertThat(s.receive(WAIT)).isEqualTo(data);
            // 1,200 bytes fit the 1,280-byte IPv6 minimum MTU with headers (RFC 8200 sec. 5).
            assertThat(UdtConfig.defaults().initialPayloadBytes()).isLessThanOrEqualTo(1280 - 40 - 8);
            c.close();
            s.close();
        }
    }

    @Test
    void acceptTimesOutWithSocketTimeoutException() {
        assertThatThrownBy(() -> server.accept(Duration.ofMillis(100))).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void connectToSilentPortTimesOut() throws Exception {
        try (var silent = java.nio.channels.DatagramChannel.open()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertThatThrownBy(() -> client.connect((InetSocketAddress) silent.getLocalAddress(), Duration.ofMillis(500)))
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void rendezvousFromBothSidesYieldsOneConnection() throws Exception {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> a = executor.submit(() -> server.rendezvous(client.localAddress(), WAIT));
            Future<UdtConnection> b = executor.submit(() -> client.rendezvous(server.localAddress(), WAIT));
            UdtConnection ca = a.get();
            UdtConnection cb = b.get();
            ca.send("from a".getBytes());
            cb.send("from b".getBytes());
            assertThat(new String(cb.receive(WAIT))).isEqualTo("from a");
            assertThat(new String(ca.receive(WAIT))).isEqualTo("from b");
            assertThat(server.stats().activeConnections()).isEqualTo(1);
            assertThat(client.stats().activeConnections()).isEqualTo(1);
        }
    }

    @Test
    void foreignDatagramsReachTheHandlerAndRawSendsLeaveTheSameSocket() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        server.setForeignDatagramHandler((datagram, from) -> {
            byte[] b = new byte[datagram.remaining()];
            datagram.get(b);
            seen.complete(b[0] + ":" + new String(b, 1, b.length - 1) + " from " + from.getPort());
        });
        client.sendRaw(java.nio.ByteBuffer.wrap(new byte[] {1, 'h', 'i'}), server.localAddress());
        assertThat(seen.get()).isEqualTo("1:hi from " + client.localAddress().getPort());
        assertThat(server.stats().foreignDatagrams()).isEqualTo(1);
    }

    @Test
    void closingTheEndpointEndsABlockedAccept() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                server.accept(Duration.ofMinutes(5));
                outcome.complete(null);
            } catch (Exception e) {
                outcome.complete(e);
            }
        });
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (acceptor.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until accept is blocked in its wait
        }
        server.close();
        assertThat(outcome.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(UdtException.class).hasMessageContaining("closed");
    }

    @Test
    void endpointReportsTheSocketBuffersAndWhetherTheKernelCappedThem() throws Exception {
        // 64 KiB is below any kernel's cap; 1 GiB is above every default cap (rmem_max is at most a few MiB).
        try (UdtEndpoint small = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdtConfig.builder().socketBufferBytes(64 * 1024).build());
             UdtEndpoint huge = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     UdtConfig.builder().socketBufferBytes(1 << 30).build())) {
            assertThat(small.socketBuffers().receiveBytes()).isGreaterThanOrEqualTo(64 * 1024);
            assertThat(small.socketBuffers().capped()).isFalse();
            assertThat(huge.socketBuffers().requestedBytes()).isEqualTo(1 << 30);
            assertThat(huge.socketBuffers().receiveBytes()).isLessThan(1 << 30);
            assertThat(huge.socketBuffers().capped()).isTrue();
        }
    }

    @Test
    void streamViewReadsAcrossMessageBoundariesAndSendTakesARangeOfAnArray() throws Exception {
        UdtConnection[] accepted = new UdtConnection[1];
        Future<?> acceptor = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
            accepted[0] = server.accept(WAIT);
            return null;
        });
        UdtConnection c = client.connect(server.localAddress(), WAIT);
        acceptor.get();
        byte[] source = "xxhello, world!yy".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        c.send(source, 2, 7);   // "hello, "
        c.send(source, 9, 6);   // "world!"
        c.close();
        InputStream in = accepted[0].inputStream();
        assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello, world!");
        assertThat(in.read()).isEqualTo(-1);
        assertThatThrownBy(() -> c.send(source, 10, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        accepted[0].close();
    }

    @Test
    void receiveRefusesToStartWhileTheStreamViewIsHalfWayThroughAMessage() throws Exception {
        UdtConnection[] accepted = new UdtConnection[1];
        Future<?> acceptor = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
            accepted[0] = server.accept(WAIT);
            return null;
        });
        UdtConnection c = client.connect(server.localAddress(), WAIT);
        acceptor.get();
        c.send("0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] three = new byte[3];
        assertThat(accepted[0].inputStream().read(three)).isEqualTo(3);
        assertThatThrownBy(() -> accepted[0].receive()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only partly read");
        // The stream view carries on where it stopped: nothing was lost.
        byte[] rest = new byte[7];
        assertThat(accepted[0].inputStream().readNBytes(rest, 0, 7)).isEqualTo(7);
        assertThat(new String(rest, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("3456789");
        c.close();
        accepted[0].close();
    }
}
