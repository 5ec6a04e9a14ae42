package io.crust.udt;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.LoopbackNat;
import io.crust.testkit.NoPinning;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real sockets on loopback, with a {@link LoopbackNat} in front of the client that forgets its mapping
 * half-way through a transfer: the server validates the client's new address and moves the connection
 * there, and the transfer arrives byte-exact. Prints how long the receiver waited at most between two
 * messages (the stall the rebinding caused).
 */
@NoPinning
class RebindingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MESSAGES = 512;
    private static final int MESSAGE_BYTES = 16 * 1024;
    private UdtEndpoint server;
    private UdtEndpoint client;
    private LoopbackNat nat;

    /**
     * Loads the data path's and path validation's classes before the tests, on one thread: the
     * client's and the server's connection threads loading the same class at the same moment made one
     * wait for the class loader's lock, and JFR reported that as a pinned virtual thread (3.5 ms, once,
     * under load). The exchange runs through a NAT that rebinds, so the migration code loads too.
     */
    @BeforeAll
    static void warmUp() throws Exception {
        PollerWarmup.run();
        try (UdtEndpoint a = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdtConfig.defaults());
             UdtEndpoint b = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdtConfig.defaults());
             LoopbackNat warmNat = new LoopbackNat(a.localAddress());
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> a.accept(WAIT));
            UdtConnection c = b.connect(warmNat.inside(), WAIT);
            UdtConnection s = accepted.get();
            c.send(new byte[1000]);
            s.receive(WAIT);
            warmNat.rebind();
            s.send(new byte[1000]);
            c.send(new byte[1000]);
            s.receive(WAIT);
            c.receive(WAIT);
            c.abort();
            s.abort();
        }
    }

    @BeforeEach
    void open() throws Exception {
        server = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdtConfig.defaults());
        client = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdtConfig.defaults());
        nat = new LoopbackNat(server.localAddress());
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
        nat.close();
    }

    private static byte[] message(Random random) {
        byte[] m = new byte[MESSAGE_BYTES];
        random.nextBytes(m);
        return m;
    }

    /** Sends {@link #MESSAGES} seeded messages; the receiver checks each and rebinds the NAT at half-way. */
    private long transfer(UdtConnection from, UdtConnection to) throws Exception {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Void> sender = executor.submit(() -> {
                Random random = new Random(7);
                for (int i = 0; i < MESSAGES; i++) {
                    from.send(message(random));
                }
                return null;
            });
            Random expected = new Random(7);
            long longestGapNanos = 0;
            long last = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                byte[] m = to.receive(WAIT);
                assertThat(m).as("message %d", i).isNotNull();
                assertThat(Arrays.equals(m, message(expected))).as("message %d intact", i).isTrue();
                long now = System.nanoTime();
                longestGapNanos = Math.max(longestGapNanos, now - last);
                last = now;
                if (i == MESSAGES / 2) {
                    nat.rebind();
                }
            }
            sender.get();
            return longestGapNanos;
        }
    }

    /**
     * One message each way after the transfer. The receiver may have had the whole transfer in its
     * buffers before it rebound the NAT; these are surely sent from the client's new mapping.
     */
    private static void exchangeAfter(UdtConnection client, UdtConnection server) throws Exception {
        client.send("from the new mapping".getBytes());
        assertThat(server.receive(WAIT)).isEqualTo("from the new mapping".getBytes());
        server.send("to the new mapping".getBytes());
        assertThat(client.receive(WAIT)).isEqualTo("to the new mapping".getBytes());
    }

    @Test
    void anUploadThroughANatThatRebindsArrivesByteExactOnTheNewAddress() throws Exception {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> server.accept(WAIT));
            UdtConnection c = client.connect(nat.inside(), WAIT);
            UdtConnection s = accepted.get();
            InetSocketAddress before = s.remoteAddress();
            long gap = transfer(c, s);
            exchangeAfter(c, s);
            assertThat(s.remoteAddress()).isNotEqualTo(before).isEqualTo(nat.mappingAddress());
            assertThat(s.stats().pathMigrations()).isEqualTo(1);
            System.out.printf("rebinding, upload: %d x %d KiB byte-exact, longest wait between messages %.1f ms%n",
                    MESSAGES, MESSAGE_BYTES / 1024, gap / 1e6);
        }
    }

    @Test
    void aDownloadThroughANatThatRebindsArrivesByteExactOnTheNewAddress() throws Exception {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> server.accept(WAIT));
            UdtConnection c = client.connect(nat.inside(), WAIT);
            UdtConnection s = accepted.get();
            long gap = transfer(s, c);
            exchangeAfter(c, s);
            assertThat(s.remoteAddress()).isEqualTo(nat.mappingAddress());
            assertThat(s.stats().pathMigrations()).isEqualTo(1);
            System.out.printf("rebinding, download: %d x %d KiB byte-exact, longest wait between messages %.1f ms%n",
                    MESSAGES, MESSAGE_BYTES / 1024, gap / 1e6);
        }
    }
}
