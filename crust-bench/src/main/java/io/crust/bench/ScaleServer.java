package io.crust.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The listening side of {@link Scale}: one {@link CrustNode} on 127.0.0.1 (TCP only) that accepts every
 * connection, in its own JVM so that its heap, threads and file descriptors are its own. Started by
 * {@link Scale} and driven by lines on stdin; answers on stdout:
 *
 * <pre>
 *   (start)                    READY tcpPort
 *   measure LABEL              {"kind":"scale-sample","label":LABEL,"heapBytes":...,"platformThreads":...,...}
 *   await-peers N SECONDS      {"kind":"scale-peers","peers":n,"reached":true|false,"seconds":...}
 *   count-messages N SECONDS   ARMED, later {"kind":"scale-received","messages":n,"firstToLastSeconds":...}
 *   quit
 * </pre>
 *
 * <p>{@code java -cp CP io.crust.bench.ScaleServer MAX_CONNECTIONS HEARTBEAT_SECONDS DATA_DIR}
 */
public final class ScaleServer {
    /** The network name of every node of the scale benchmark. */
    static final String NETWORK = "crust-bench-scale";
    private final AtomicLong connectedEvents = new AtomicLong();
    private final AtomicLong lostEvents = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    /** Why peers were lost, digits folded to N, with counts: a lost connection must be explained. */
    private final Map<String, Integer> lostReasons = new ConcurrentHashMap<>();
    private final Map<String, Integer> misbehaviours = new ConcurrentHashMap<>();
    private volatile long firstMessageNanos;
    private volatile long lastMessageNanos;

    private ScaleServer() {
    }

    public static void main(String[] args) throws Exception {
        int maxConnections = Integer.parseInt(args[0]);
        int heartbeatSeconds = Integer.parseInt(args[1]);
        CrustConfig config = CrustConfig.builder()
                .dataDir(Path.of(args[2]))
                .networkName(NETWORK)
                .bindAddress(InetAddress.getLoopbackAddress())
                .udp(false)
                .maxConnections(maxConnections)
                .maxPendingHandshakes(512)
                // every client dials from 127.0.0.1: no per-address or per-network share
                .maxPendingHandshakesPerAddress(512)
                .maxPendingHandshakesPerPrefix(512)
                .maxConnectionsPerAddress(maxConnections)
                .maxConnectionsPerPrefix(maxConnections)
                .heartbeatInterval(Duration.ofSeconds(heartbeatSeconds))
                .heartbeatTimeout(Duration.ofSeconds(4L * heartbeatSeconds))
                .eventQueueCapacity(65_536)
                .build();
        try (CrustNode node = CrustNode.start(config)) {
            new ScaleServer().serve(node);
        }
    }

    private void serve(CrustNode node) throws IOException, InterruptedException {
        Thread.ofVirtual().name("scale-server-events").start(() -> drain(node));
        System.out.println("READY " + node.tcpAddress().orElseThrow().getPort());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "measure" -> sample(words[1], node.peers().size()).print();
                case "await-peers" -> awaitPeers(node, Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                case "count-messages" -> countMessages(Long.parseLong(words[1]), Integer.parseInt(words[2]));
                case "quit" -> {
                    return;
                }
                default -> System.err.println("unknown command: " + line);
            }
        }
    }

    private void drain(CrustNode node) {
        try {
            while (true) {
                switch (node.events().take()) {
                    case CrustEvent.PeerConnected c -> connectedEvents.incrementAndGet();
                    case CrustEvent.PeerLost l -> {
                        lostEvents.incrementAndGet();
                        lostReasons.merge(l.detail().replaceAll("[0-9]+", "N"), 1, Integer::sum);
                    }
                    case CrustEvent.Misbehaviour b -> misbehaviours.merge(b.kind() + ": " + b.detail().replaceAll("[0-9]+", "N"), 1, Integer::sum);
                    case CrustEvent.MessageReceived m -> {
                        long now = System.nanoTime();
                        if (messages.getAndIncrement() == 0) {
                            firstMessageNanos = now;
                        }
                        lastMessageNanos = now;
                    }
                    default -> { }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the node has {@code wanted} peers (polled every 100 ms: there is no event for "N peers"). */
    private void awaitPeers(CrustNode node, int wanted, int seconds) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(seconds).toNanos();
        int peers = node.peers().size();
        while (peers != wanted && System.nanoTime() < deadline) {
            Thread.sleep(100);
            peers = node.peers().size();
        }
        Figures.of("scale-peers").put("peers", peers).put("reached", String.valueOf(peers == wanted))
                .put("seconds", (System.nanoTime() - start) / 1e9).print();
    }

    private void countMessages(long expected, int seconds) throws InterruptedException {
        messages.set(0);
        System.out.println("ARMED");
        System.out.flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (messages.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long received = messages.get();
        Figures.of("scale-received").put("messages", received).put("expected", expected)
                .put("firstToLastSeconds", received > 0 ? (lastMessageNanos - firstMessageNanos) / 1e9 : 0.0).print();
    }

    private Figures sample(String label, int peers) {
        return measure(label).put("peers", peers).put("connectedEvents", connectedEvents.get())
                .put("lostEvents", lostEvents.get()).put("lostReasons", lostReasons.toString())
                .put("misbehaviours", misbehaviours.toString());
    }

    /**
     * Heap in use after a full collection, platform threads, virtual threads (counted in a thread dump,
     * the only place the JDK lists them) and open file descriptors of this process.
     */
    static Figures measure(String label) {
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return Figures.of("scale-sample").put("label", label).put("heapBytes", heap)
                .put("platformThreads", ManagementFactory.getThreadMXBean().getThreadCount())
                .put("virtualThreads", virtualThreads()).put("fds", openFileDescriptors());
    }

    private static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long virtualThreads() {
        try {
            Path dump = Files.createTempFile("crust-bench-threads", ".json");
            Files.delete(dump);
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(dump.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                String json = Files.readString(dump);
                return countOf(json, "\"virtual\": true") + countOf(json, "\"virtual\":true");
            } finally {
                Files.deleteIfExists(dump);
            }
        } catch (IOException e) {
            return -1;
        }
    }

    private static long countOf(String text, String needle) {
        long n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
