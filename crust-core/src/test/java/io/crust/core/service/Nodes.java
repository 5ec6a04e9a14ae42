package io.crust.core.service;

import static org.assertj.core.api.Assertions.fail;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
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
 * Starts loopback nodes with temporary data directories for tests and closes them all at the end. Public
 * only for {@link #await(CrustNode, Class, Predicate, Consumer, Duration)}, which other test packages share.
 */
public final class Nodes implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    private final Path root;
    private final List<CrustNode> started = new ArrayList<>();
    private int count;

    Nodes(Path root) {
        this.root = root;
    }

    /** A builder for a loopback node with its own data directory and test-friendly timings. */
    CrustConfig.Builder config() throws java.io.IOException {
        Path dir = Files.createDirectories(root.resolve("node-" + (++count)));
        return config(dir);
    }

    static CrustConfig.Builder config(Path dir) {
        return CrustConfig.builder()
                .dataDir(dir)
                .networkName("test")
                .bindAddress(InetAddress.getLoopbackAddress())
                .udp(false)
                // Generous: this machine is often loaded far beyond its two cores.
                .heartbeatInterval(Duration.ofSeconds(1))
                .heartbeatTimeout(Duration.ofSeconds(10))
                .handshakeTimeout(Duration.ofSeconds(10))
                .bootstrapTimeout(Duration.ofSeconds(20));
    }

    CrustNode start(CrustConfig.Builder builder) throws CrustException {
        CrustNode node = CrustNode.start(builder.build());
        started.add(node);
        return node;
    }

    CrustNode start() throws Exception {
        return start(config());
    }

    CrustNode start(Consumer<CrustConfig.Builder> tweak) throws Exception {
        CrustConfig.Builder b = config();
        tweak.accept(b);
        return start(b);
    }

    static InetSocketAddress tcp(CrustNode node) {
        return node.tcpAddress().orElseThrow();
    }

    /** Takes events until one of type {@code type} matches; fails after {@link #WAIT}. */
    static <T extends CrustEvent> T await(CrustNode node, Class<T> type, Predicate<T> match) throws InterruptedException {
        return await(node, type, match, e -> { });
    }

    /** As {@link #await(CrustNode, Class, Predicate)}, handing every event taken before the match to {@code skipped}. */
    static <T extends CrustEvent> T await(CrustNode node, Class<T> type, Predicate<T> match, Consumer<CrustEvent> skipped)
            throws InterruptedException {
        return await(node, type, match, skipped, WAIT);
    }

    /** Takes events until one of {@code type} matches, handing the others to {@code skipped}; fails after {@code wait}. */
    public static <T extends CrustEvent> T await(CrustNode node, Class<T> type, Predicate<T> match,
            Consumer<CrustEvent> skipped, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("no " + type.getSimpleName() + " on " + node + " within " + wait);
            }
            Optional<CrustEvent> event = node.events().poll(Duration.ofNanos(left));
            if (event.isPresent() && type.isInstance(event.get()) && match.test(type.cast(event.get()))) {
                return type.cast(event.get());
            }
            event.ifPresent(skipped);
        }
    }

    static <T extends CrustEvent> T await(CrustNode node, Class<T> type) throws InterruptedException {
        return await(node, type, e -> true);
    }

    @Override
    public void close() {
        for (CrustNode node : started) {
            node.close();
        }
    }
}
