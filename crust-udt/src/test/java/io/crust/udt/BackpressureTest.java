package io.crust.udt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.testkit.NoPinning;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bounded memory and failure reporting through the public API, on loopback sockets. */
@NoPinning
class BackpressureTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final UdtConfig SMALL = UdtConfig.builder().sendBufferBytes(64 * 1024)
            .receiveWindowBytes(64 * 1024).maxMessageBytes(100_000).build();

    @BeforeAll
    static void warmUp() throws Exception {
        PollerWarmup.run();
    }

    private interface PairTest {
        void run(UdtConnection client, UdtConnection server) throws Exception;
    }

    private static void withPair(PairTest test) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (UdtEndpoint a = UdtEndpoint.bind(loopback, SMALL);
             UdtEndpoint b = UdtEndpoint.bind(loopback, SMALL);
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> a.accept(WAIT));
            UdtConnection client = b.connect(a.localAddress(), WAIT);
            test.run(client, accepted.get());
        }
    }

    /**
     * A writer waiting for window used to wake the connection thread on every pass, which woke the writer
     * again: the two spun, took every virtual-thread carrier and stalled the whole process. While the
     * writer waits, the connection thread runs only for packets and timers.
     */
    @Test
    void aWriterWaitingForWindowLeavesTheConnectionThreadIdle() throws Exception {
        withPair((client, server) -> {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 3; i++) {
                        client.send(new byte[100_000]); // more than window and buffer: it streams in and waits
                    }
                } catch (Exception e) {
                    // ends when the pair closes
                }
            });
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (client.stats().bytesSent() < 64 * 1024 || client.stats().bytesInFlight() > 0) {
                assertThat(System.nanoTime()).as("the window never filled").isLessThan(deadline);
                Thread.sleep(10); // polling the condition
            }
            long before = client.stats().threadPasses();
            Thread.sleep(1000); // the measurement window: the writer stays blocked throughout
            long passes = client.stats().threadPasses() - before;
            System.out.println("connection thread passes in 1 s with the writer blocked: " + passes);
            assertThat(writer.isAlive()).isTrue();
            // Window probes and acknowledgements: tens. The spin made hundreds of thousands.
            assertThat(passes).isLessThan(2_000);
            for (int i = 0; i < 3; i++) {
                assertThat(server.receive(WAIT)).hasSize(100_000);
            }
        });
    }

    /**
     * Buffers are sized for a fast path (4 MiB each way by default) but allocated as traffic reaches them,
     * so a connection that carries little holds little (before any authentication too), and a closed
     * one holds nothing even while something still references it (reliability.md F6, F7).
     */
    @Test
    void buffersGrowWithTheTrafficAndAreHandedBackOnClose() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (UdtEndpoint a = UdtEndpoint.bind(loopback, UdtConfig.builder().build());
             UdtEndpoint b = UdtEndpoint.bind(loopback, UdtConfig.builder().build());
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> a.accept(WAIT));
            UdtConnection client = b.connect(a.localAddress(), WAIT);
            UdtConnection server = accepted.get();
            assertThat(client.stats().bufferBytes()).isZero();
            assertThat(server.stats().bufferBytes()).isZero();

            client.send(new byte[1000]);
            assertThat(server.receive(WAIT)).hasSize(1000);
            // One 64 KiB page on each side, not 4 MiB.
            assertThat(client.stats().bufferBytes()).isEqualTo(64 * 1024);
            assertThat(server.stats().bufferBytes()).isEqualTo(64 * 1024);

            client.close();
            server.close();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (client.stats().bufferBytes() + server.stats().bufferBytes() > 0) {
                assertThat(System.nanoTime()).as("buffers still held after close").isLessThan(deadline);
                Thread.sleep(10); // polling the condition: the connection threads end shortly after close
            }
        }
    }

    @Test
    void timedSendGivesUpWhenNeitherBufferNorWindowHasRoom() throws Exception {
        withPair((client, server) -> {
            byte[] message = new byte[16 * 1024];
            int queued = 0;
            while (true) {
                try {
                    client.send(message, Duration.ofMillis(300));
                } catch (SocketTimeoutException full) {
                    break;
                }
                queued++;
                assertThat(queued).as("the sender must block: 64 KiB window + 64 KiB buffer").isLessThan(20);
            }
            // Window (64 KiB) and send buffer (64 KiB) are full: about 8 messages of 16 KiB.
            assertThat(queued).isBetween(6, 9);
            for (int i = 0; i < queued; i++) {
                assertThat(server.receive(WAIT)).hasSize(message.length);
            }
            client.send(message, WAIT);
        });
    }

    @Test
    void receiveWithTimeoutThrowsSocketTimeoutWhenNothingArrives() throws Exception {
        withPair((client, server) -> assertThatThrownBy(() -> server.receive(Duration.ofMillis(100)))
                .isInstanceOf(SocketTimeoutException.class));
    }

    @Test
    void tooLargeMessageIsRefusedBeforeSending() throws Exception {
        withPair((client, server) -> assertThatThrownBy(() -> client.send(new byte[100_001]))
                .isInstanceOf(UdtException.class).hasMessageContaining("maxMessageBytes"));
    }

    @Test
    void abortIsReportedToThePeer() throws Exception {
        withPair((client, server) -> {
            client.abort();
            assertThatThrownBy(() -> server.receive(WAIT)).isInstanceOf(UdtException.class)
                    .hasMessageContaining("aborted");
            assertThatThrownBy(() -> client.send(new byte[1])).isInstanceOf(UdtException.class);
        });
    }
}
