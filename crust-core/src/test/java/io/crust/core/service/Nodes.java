package io.crust.core.service;

import static org.assertj.core.api.Assertions.fail;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.CrustTimeoutException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts loopback nodes with temporary data directories for tests and closes them all at the end.
 * Registered as a JUnit extension ({@code @RegisterExtension final Nodes nodes = new Nodes();}) it gives
 * each test a fresh temporary root and closes and deletes everything after it. Public only for
 * {@link #await(CrustNode, Class, Predicate, Consumer, Duration)} and {@link #deleteTree}, which the
 * proof tests share.
 */
public final class Nodes implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    private final List<CrustNode> started = new ArrayList<>();
    private Path root;
    private int count;

    /** For {@code @RegisterExtension}: the root is made before each test. */
    Nodes() {
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        root = Files.createTempDirectory("crust-nodes-");
        count = 0;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        close();
        deleteTree(root);
    }

    /** The temporary folder this test's nodes live in. */
    Path root() {
        return root;
    }

    /** Deletes a folder and everything in it. */
    public static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
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
            Optional<CrustEvent> event = poll(node, Duration.ofNanos(left));
            if (event.isPresent() && type.isInstance(event.get()) && match.test(type.cast(event.get()))) {
                return type.cast(event.get());
            }
            event.ifPresent(skipped);
        }
    }

    /** The next event within {@code wait}, or empty: for loops that also watch something else. */
    public static Optional<CrustEvent> poll(CrustNode node, Duration wait) throws InterruptedException {
        try {
            return Optional.of(node.events().take(wait));
        } catch (CrustTimeoutException e) {
            return Optional.empty();
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
        started.clear();
    }
}
