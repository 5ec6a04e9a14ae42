package io.crust.udt;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Initialises the JDK's I/O poller before a {@code @NoPinning} test runs: two virtual threads that
 * race to initialise {@code sun.nio.ch.Poller} make one wait on a class initializer, which JFR
 * reports as pinning although no crust code is involved. Call from {@code @BeforeAll}.
 */
public final class PollerWarmup {
    private PollerWarmup() {
    }

    public static void run() throws Exception {
        try (UdtEndpoint a = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdtConfig.defaults());
             UdtEndpoint b = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), UdtConfig.defaults())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    a.accept(Duration.ofSeconds(10)).abort();
                } catch (Exception ignored) {
                    // warm-up only
                }
            });
            try {
                b.connect(a.localAddress(), Duration.ofSeconds(10)).abort();
            } catch (UdtException raced) {
                // the acceptor may abort before the handshake is seen complete here: fine for a warm-up
            }
            acceptor.join();
        }
    }
}
