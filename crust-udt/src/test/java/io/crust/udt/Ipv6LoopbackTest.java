package io.crust.udt;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.NoPinning;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real sockets on {@code ::1}: crust-udt over IPv6, on the JDK path and (in the fast-path execution)
 * through {@code sockaddr_in6}. The IPv6 loopback's 65,536-byte MTU leaves 65,488 bytes for a UDP
 * payload, less than the largest IPv4 one (65,507): the path MTU search must stop below it.
 */
@NoPinning
class Ipv6LoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MESSAGE_BYTES = 48 * 1024;
    private static final int MESSAGES = 64;

    @BeforeAll
    static void warmUp() throws Exception {
        PollerWarmup.run();
    }

    @Test
    void aConnectionOverIpv6LoopbackCarriesMessagesBothWaysAndGrowsItsDatagramsWithinTheIpv6Limit() throws Exception {
        InetAddress loopback = InetAddress.getByName("::1");
        try (UdtEndpoint server = UdtEndpoint.bind(new InetSocketAddress(loopback, 0), UdtConfig.defaults());
                UdtEndpoint client = UdtEndpoint.bind(new InetSocketAddress(loopback, 0), UdtConfig.defaults());
                var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            assertThat(server.localAddress().getAddress()).isInstanceOf(Inet6Address.class);
            Future<UdtConnection> accepted = executor.submit(() -> server.accept(WAIT));
            UdtConnection c = client.connect(server.localAddress(), WAIT);
            UdtConnection s = accepted.get();
            assertThat(c.remoteAddress()).isEqualTo(server.localAddress());

            Future<Void> echo = executor.submit(() -> {
                for (int i = 0; i < MESSAGES; i++) {
                    s.send(s.receive(WAIT));
                }
                return null;
            });
            for (int i = 0; i < MESSAGES; i++) {
                byte[] message = new byte[MESSAGE_BYTES];
                Arrays.fill(message, (byte) i);
                c.send(message);
                assertThat(c.receive(WAIT)).as("echo of message %d", i).isEqualTo(message);
            }
            echo.get();

            int payload = c.stats().payloadBytes();
            System.out.printf("IPv6 loopback, %s path: datagram payload %d bytes after %d echoes of %d bytes%n",
                    client.datagramPath(), payload, MESSAGES, MESSAGE_BYTES);
            assertThat(payload).as("datagram payload after path MTU probing on " + client.datagramPath())
                    .isGreaterThan(1472).isLessThanOrEqualTo(65_536 - 40 - 8);
            c.close();
            s.close();
        }
    }
}
