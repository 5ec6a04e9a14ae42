package io.crust.udt.bench;

import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * 64-byte round trips over loopback: crust-udt messages against a raw {@code DatagramChannel} echo,
 * both on virtual threads in one JVM; prints p50 and p99. Not a test. Run as {@link LoopbackThroughput}
 * with the argument SAMPLES.
 */
public final class RoundTripLatency {
    private RoundTripLatency() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        long[] udt = new long[n];
        try (UdtEndpoint server = UdtEndpoint.bind(loopback, UdtConfig.defaults());
             UdtEndpoint client = UdtEndpoint.bind(loopback, UdtConfig.defaults())) {
            Thread.ofVirtual().start(() -> {
                try {
                    UdtConnection echo = server.accept(Duration.ofSeconds(10));
                    while (true) {
                        echo.send(echo.receive());
                    }
                } catch (IOException ended) {
                    // the client aborted
                }
            });
            UdtConnection c = client.connect(server.localAddress(), Duration.ofSeconds(10));
            byte[] message = new byte[64];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                c.send(message);
                c.receive();
                udt[i] = System.nanoTime() - t0;
            }
            c.abort();
        }
        long[] raw = new long[n];
        try (DatagramChannel server = DatagramChannel.open().bind(loopback);
             DatagramChannel client = DatagramChannel.open().bind(loopback)) {
            Thread.ofVirtual().start(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(2048);
                try {
                    while (true) {
                        b.clear();
                        SocketAddress from = server.receive(b);
                        server.send(b.flip(), from);
                    }
                } catch (IOException closed) {
                    // done
                }
            });
            ByteBuffer b = ByteBuffer.allocateDirect(2048);
            SocketAddress target = server.getLocalAddress();
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                b.clear().position(64).flip();
                client.send(b, target);
                b.clear();
                client.receive(b);
                raw[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(udt);
        Arrays.sort(raw);
        System.out.printf(Locale.ROOT, "64-byte round trip, %d samples: crust-udt p50 %.1f us p99 %.1f us;"
                        + " raw UDP p50 %.1f us p99 %.1f us%n", n, udt[n / 2] / 1e3, udt[n * 99 / 100] / 1e3,
                raw[n / 2] / 1e3, raw[n * 99 / 100] / 1e3);
    }
}
