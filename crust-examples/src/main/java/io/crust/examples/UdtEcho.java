package io.crust.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/** crust-udt alone: an echo server and a client over reliable, congestion-controlled UDP. */
public final class UdtEcho {
    public static void main(String[] args) throws Exception {
        Duration timeout = Duration.ofSeconds(10);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (UdtEndpoint server = UdtEndpoint.bind(any, UdtConfig.defaults());
                UdtEndpoint client = UdtEndpoint.bind(any, UdtConfig.defaults())) {
            Thread echo = Thread.ofVirtual().start(() -> {
                try (UdtConnection c = server.accept(timeout)) {
                    c.send(c.receive(timeout));                  // one message back, as it came
                } catch (IOException e) {
                    System.err.println("echo failed: " + e);
                }
            });
            try (UdtConnection c = client.connect(server.localAddress(), timeout)) {
                c.send("ping over crust-udt".getBytes(UTF_8));  // message boundaries are kept
                System.out.println("echoed: " + new String(c.receive(timeout), UTF_8));
                System.out.println("round trip: " + c.stats().smoothedRtt().toNanos() / 1000 + " µs");
            }
            echo.join();
        }
    }
}
