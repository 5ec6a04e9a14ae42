package io.crust.udt.bench;

import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.EOFException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * Throughput of crust-udt alone (no hashing, one JVM) over loopback; prints one line. Not a test.
 * <pre>
 * ./mvnw -q -Dcrust.target=target -pl crust-udt -DskipTests test-compile
 * java -cp crust-udt/target/classes:crust-udt/target/test-classes:$HOME/.m2/repository/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar \
 *      io.crust.udt.bench.LoopbackThroughput BYTES MESSAGE_BYTES MAX_PAYLOAD_BYTES
 * </pre>
 */
public final class LoopbackThroughput {
    private LoopbackThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long total = Long.parseLong(args[0]);
        int messageBytes = Integer.parseInt(args[1]);
        UdtConfig config = UdtConfig.builder().maxPayloadBytes(Integer.parseInt(args[2])).build();
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (UdtEndpoint server = UdtEndpoint.bind(loopback, config);
             UdtEndpoint client = UdtEndpoint.bind(loopback, config)) {
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    UdtConnection c = server.accept(Duration.ofSeconds(10));
                    try {
                        while (true) {
                            c.receive();
                        }
                    } catch (EOFException end) {
                        // done
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            });
            UdtConnection c = client.connect(server.localAddress(), Duration.ofSeconds(10));
            byte[] message = new byte[messageBytes];
            long start = System.nanoTime();
            for (long sent = 0; sent < total; sent += messageBytes) {
                c.send(message);
            }
            c.close();
            double seconds = (System.nanoTime() - start) / 1e9;
            reader.join();
            System.out.printf(Locale.ROOT, "%d bytes in %.3f s = %.1f Mbit/s; %s%n", total, seconds,
                    total * 8 / seconds / 1e6, c.stats());
        }
    }
}
