package io.crust.core.proof;

import static org.assertj.core.api.Assertions.fail;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
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

/**
 * Loopback nodes (TCP only, generous timings) with their own data directories, all closed by
 * {@link #close()}. The proof tests' copy of the service tests' helper, which is package-private there.
 */
final class ProofNodes implements AutoCloseable {
    /** How long any single wait may take: this machine is often loaded far beyond its two cores. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private final Path root;
    private final List<CrustNode> started = new ArrayList<>();
    private int count;

    ProofNodes(Path root) {
        this.root = root;
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
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("no " + type.getSimpleName() + " on " + node + " within " + WAIT);
            }
            Optional<CrustEvent> event = node.events().poll(Duration.ofNanos(left));
            if (event.isPresent() && type.isInstance(event.get()) && match.test(type.cast(event.get()))) {
                return type.cast(event.get());
            }
            event.ifPresent(skipped);
        }
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
        while ((next = node.events().poll(quiet)).isPresent()) {
            events.add(next.get());
        }
        return events;
    }

    @Override
    public void close() {
        for (CrustNode node : started) {
            node.close();
        }
    }

}
