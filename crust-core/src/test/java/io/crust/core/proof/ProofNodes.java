package io.crust.core.proof;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.service.Nodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Loopback nodes (TCP only, generous timings) with their own data directories. Registered as a JUnit
 * extension ({@code @RegisterExtension}), it gives each test a fresh temporary root and closes every node
 * it started (and deletes the root) after the test.
 */
final class ProofNodes implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    /** How long any single wait may take: this machine is often loaded far beyond its two cores. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private final List<CrustNode> started = new ArrayList<>();
    private Path root;
    private int count;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        root = Files.createTempDirectory("crust-proof-");
        count = 0;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        close();
        Nodes.deleteTree(root);
    }

    static CrustConfig.Builder config(Path dataDir) {
        return CrustConfig.builder()
                .dataDir(dataDir)
                .networkName("proof")
                .bindAddress(InetAddress.getLoopbackAddress())
                .udp(false)
                .heartbeatInterval(Duration.ofSeconds(1))
                .heartbeatTimeout(Duration.ofSeconds(20))
                .handshakeTimeout(Duration.ofSeconds(10))
                .bootstrapTimeout(Duration.ofSeconds(20));
    }

    CrustNode start(Consumer<CrustConfig.Builder> tweak) throws IOException {
        CrustConfig.Builder builder = config(Files.createDirectories(root.resolve("node-" + (++count))));
        tweak.accept(builder);
        CrustNode node = CrustNode.start(builder.build());
        started.add(node);
        return node;
    }

    CrustNode start() throws IOException {
        return start(b -> { });
    }

    static InetSocketAddress tcp(CrustNode node) {
        return node.tcpAddress().orElseThrow();
    }

    /** Takes events until one of {@code type} matches, handing the others to {@code skipped}; fails after {@link #WAIT}. */
    static <T extends CrustEvent> T await(CrustNode node, Class<T> type, Predicate<T> match, Consumer<CrustEvent> skipped)
            throws InterruptedException {
        return Nodes.await(node, type, match, skipped, WAIT);
    }

    static <T extends CrustEvent> T await(CrustNode node, Class<T> type, Predicate<T> match) throws InterruptedException {
        return await(node, type, match, e -> { });
    }

    static <T extends CrustEvent> T await(CrustNode node, Class<T> type) throws InterruptedException {
        return await(node, type, e -> true);
    }

    /** Every event already queued or arriving within {@code quiet} of the previous one. */
    static List<CrustEvent> drain(CrustNode node, Duration quiet) throws InterruptedException {
        List<CrustEvent> events = new ArrayList<>();
        Optional<CrustEvent> next;
        while ((next = Nodes.poll(node, quiet)).isPresent()) {
            events.add(next.get());
        }
        return events;
    }

    @Override
    public void close() {
        for (CrustNode node : started) {
            node.close();
        }
        started.clear();
    }

}
