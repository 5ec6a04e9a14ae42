package io.crust.bench;

import io.crust.core.CrustConfig;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Connect-and-close cycles between two {@link CrustNode}s on loopback TCP, sequential, counted for
 * SECONDS: {@code connect(address)} (TCP connect, Noise XX, HELLO) then {@code drop} of the peer.
 * This is what an application pays per connection through the service API, on top of the bare
 * channel handshake of {@link NoiseVsTls}.
 *
 * <p>{@code java -cp CP io.crust.bench.NodeConnects SECONDS}
 */
public final class NodeConnects {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private NodeConnects() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = Long.parseLong(args[0]);
        Path data = Files.createTempDirectory("crust-bench-connects");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (CrustNode server = CrustNode.start(config(data.resolve("server"), loopback));
             CrustNode client = CrustNode.start(config(data.resolve("client"), loopback))) {
            InetSocketAddress address = server.tcpAddress().orElseThrow();
            for (int i = 0; i < 50; i++) { // warm-up: the first handshakes load and compile the classes
                cycle(client, server, address);
            }
            long count = 0;
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < deadline) {
                cycle(client, server, address);
                count++;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            Figures.of("channel-connects").put("channel", "crust-node").put("connects", count)
                    .put("seconds", elapsed).put("perSecond", count / elapsed).print();
        }
        System.exit(0);
    }

    private static void cycle(CrustNode client, CrustNode server, InetSocketAddress address) throws Exception {
        Peer peer = client.connect(address, TIMEOUT);
        client.drop(peer.id());
        // An application takes its events: the queue is bounded, and a full one holds up the node that
        // produces them (docs/connection-group.md). Each cycle adds a PeerConnected and a PeerLost.
        client.events().drain();
        server.events().drain();
    }

    private static CrustConfig config(Path dataDir, InetAddress loopback) {
        return CrustConfig.builder().dataDir(dataDir).networkName("crust-bench").bindAddress(loopback)
                .udp(false).portMapping(false).build();
    }
}
