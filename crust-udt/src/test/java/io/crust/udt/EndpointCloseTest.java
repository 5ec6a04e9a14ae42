package io.crust.udt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@link UdtEndpoint#close()} leaves nothing running behind it. */
class EndpointCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void closingEndpointsEndsTheThreadsOfAllTheirConnectionsBeforeCloseReturns() throws Exception {
        Set<Thread> before = connectionThreads();
        UdtEndpoint server = UdtEndpoint.bind(LOOPBACK, UdtConfig.defaults());
        UdtEndpoint client = UdtEndpoint.bind(LOOPBACK, UdtConfig.defaults());
        List<UdtConnection> open = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            CompletableFuture<UdtConnection> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept(WAIT);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            open.add(client.connect(server.localAddress(), WAIT));
            open.add(accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        Set<Thread> ours = connectionThreads();
        ours.removeAll(before);
        assertThat(ours).hasSize(32);

        server.close();
        client.close();

        assertThat(ours).noneMatch(Thread::isAlive);
    }

    @Test
    void aThreadWithItsInterruptFlagSetClosingOneConnectionLeavesTheEndpointsOtherConnectionsWorking() throws Exception {
        // The client on a channel it is given (as a punched socket is): a DatagramChannel closes itself
        // when a thread with its interrupt flag set calls it; the socket that bind opens does not.
        try (UdtEndpoint server = UdtEndpoint.bind(LOOPBACK, UdtConfig.defaults());
             UdtEndpoint client = UdtEndpoint.open(DatagramChannel.open().bind(LOOPBACK), UdtConfig.defaults())) {
            UdtConnection[] first = TestConnections.connect(client, server, WAIT);
            UdtConnection[] second = TestConnections.connect(client, server, WAIT);

            // On a thread of its own, so that no interrupt can stay behind on the test runner's thread.
            Thread closer = Thread.ofPlatform().start(() -> {
                Thread.currentThread().interrupt(); // as a cancelled task's thread would be
                try {
                    first[0].close();                // sends its end on this thread, then waits
                } catch (java.io.IOException expected) {
                    // the wait for the peer's acknowledgement noticed the interrupt
                }
            });
            closer.join(WAIT.toMillis());
            assertThat(closer.isAlive()).isFalse();

            second[0].send(new byte[] {4, 2});
            assertThat(second[1].receive(WAIT)).containsExactly(4, 2);
        }
    }

    private static Set<Thread> connectionThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("crust-udt-conn-"))
                .collect(Collectors.toSet());
    }
}
