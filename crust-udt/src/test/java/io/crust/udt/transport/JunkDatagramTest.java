package io.crust.udt.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.NoPinning;
import io.crust.udt.EndpointStats;
import io.crust.udt.PollerWarmup;
import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import io.crust.udt.packet.InitialPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Junk at a live endpoint's socket is dropped and counted, and the endpoint keeps working. */
@NoPinning
class JunkDatagramTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void warmUp() throws Exception {
        PollerWarmup.run();
    }

    @Test
    void junkIsCountedAndAConnectionStillWorks() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (UdtEndpoint server = UdtEndpoint.bind(loopback, UdtConfig.defaults());
             UdtEndpoint client = UdtEndpoint.bind(loopback, UdtConfig.defaults());
             DatagramChannel attacker = DatagramChannel.open().bind(loopback);
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<UdtConnection> accepted = executor.submit(() -> server.accept(WAIT));
            UdtConnection c = client.connect(server.localAddress(), WAIT);
            UdtConnection s = accepted.get();
            SplittableRandom random = new SplittableRandom(7);
            int sent = 0;
            for (int i = 0; i < 300; i++) {
                byte[] junk = new byte[1 + random.nextInt(1500)];
                random.nextBytes(junk);
                junk[0] = (byte) (0xD0 | random.nextInt(16)); // looks like crust-udt
                attacker.send(ByteBuffer.wrap(junk), server.localAddress());
                sent++;
            }
            // An INITIAL with a forged cookie, and a short one (amplification bait).
            ByteBuffer forged = ByteBuffer.allocate(1200);
            new InitialPacket(1, false, 99, new byte[16]).encodeTo(forged);
            attacker.send(forged.flip(), server.localAddress());
            ByteBuffer small = ByteBuffer.allocate(100);
            small.put((byte) 0xD0).put((byte) 1).put(new byte[20]);
            attacker.send(small.flip(), server.localAddress());
            sent += 2;
            c.send("still alive".getBytes());
            assertThat(new String(s.receive(WAIT))).isEqualTo("still alive");
            EndpointStats stats = awaitCounted(server, sent);
            assertThat(stats.droppedMalformed()).isPositive();
            assertThat(stats.droppedUnknownConnection()).isPositive();
            assertThat(stats.handshakesRejected()).isPositive(); // the forged cookie (and junk with an unknown version)
            // Nothing was answered except RETRYs, each smaller than the INITIAL that caused it.
            attacker.configureBlocking(false);
            ByteBuffer reply = ByteBuffer.allocate(2048);
            while (attacker.receive(reply) != null) {
                assertThat(reply.position()).isLessThan(1200);
                reply.clear();
            }
        }
    }

    private static EndpointStats awaitCounted(UdtEndpoint endpoint, int junk) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        EndpointStats s = endpoint.stats();
        while (System.nanoTime() < deadline) {
            s = endpoint.stats();
            long counted = s.droppedMalformed() + s.droppedUnknownConnection() + s.droppedWrongSource()
                    + s.handshakesRejected() + s.foreignDatagrams();
            if (counted >= junk - 40) { // RETRY-provoking INITIAL look-alikes are answered, not counted
                return s;
            }
            Thread.sleep(10);
        }
        return s;
    }
}
