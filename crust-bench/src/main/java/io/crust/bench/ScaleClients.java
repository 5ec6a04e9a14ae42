package io.crust.bench;

import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The dialling side of {@link Scale}: a JVM hosting many client {@link CrustNode}s, one identity each
 * (Crust keeps one connection per pair of peers, so N connections to one server need N identities).
 * Each node has a TCP listener of its own, so a JVM holds two descriptors per connected node; {@link Scale}
 * spreads the nodes over as many of these JVMs as the descriptor limit asks. Driven by lines on stdin:
 *
 * <pre>
 *   start COUNT HEARTBEAT_SECONDS DATA_DIR  {"kind":"share-started","seconds":...}
 *   dial PORT                               {"kind":"share-dialled","connected":n,"failures":n,"millis":"m;m;..."}
 *   measure LABEL                           {"kind":"scale-sample",...}
 *   close-beyond KEEP                       {"kind":"share-closed","seconds":...}
 *   count-open                              {"kind":"share-open","open":n}
 *   send PEERS MESSAGES_PER_PEER BYTES      {"kind":"share-sent","failures":n,"seconds":...}
 *   quit
 * </pre>
 */
public final class ScaleClients {
    /** Connections dialled at once by one JVM; the server accepts up to 512 handshakes in progress. */
    static final int DIAL_CONCURRENCY = 64;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);

    private final List<CrustNode> nodes = new ArrayList<>();
    private final List<Peer> peers = new ArrayList<>();

    private ScaleClients() {
    }

    public static void main(String[] args) throws Exception {
        ScaleClients clients = new ScaleClients();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split("\\s+");
                switch (w[0]) {
                    case "start" -> clients.start(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Path.of(w[3]));
                    case "dial" -> clients.dial(Integer.parseInt(w[1]));
                    case "measure" -> ScaleServer.measure(w[1]).put("nodes", clients.nodes.size()).print();
                    case "close-beyond" -> clients.closeBeyond(Integer.parseInt(w[1]));
                    case "send" -> clients.send(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]));
                    case "count-open" -> Figures.of("share-open").put("open", clients.peers.stream()
                            .filter(p -> p != null && p.isOpen()).count()).print();
                    case "quit" -> {
                        return;
                    }
                    default -> System.err.println("unknown command: " + line);
                }
            }
        } finally {
            clients.closeBeyond(0);
        }
    }

    private void start(int count, int heartbeatSeconds, Path dataDir) throws Exception {
        long start = System.nanoTime();
        CrustNode[] started = new CrustNode[count];
        AtomicReference<Exception> error = new AtomicReference<>();
        forEach(count, 8, "scale-start-", i -> {
            try {
                started[i] = CrustNode.start(CrustConfig.builder()
                        .dataDir(dataDir.resolve("client-" + i))
                        .networkName(ScaleServer.NETWORK)
                        .bindAddress(InetAddress.getLoopbackAddress())
                        .udp(false)
                        .heartbeatInterval(Duration.ofSeconds(heartbeatSeconds))
                        .heartbeatTimeout(Duration.ofSeconds(4L * heartbeatSeconds))
                        .eventQueueCapacity(64)
                        .build());
            } catch (CrustException e) {
                error.compareAndSet(null, e);
            }
        });
        for (CrustNode n : started) {
            if (n != null) {
                nodes.add(n);
            }
        }
        if (error.get() != null) {
            throw error.get();
        }
        Figures.of("share-started").put("nodes", nodes.size()).put("seconds", (System.nanoTime() - start) / 1e9).print();
    }

    private void dial(int port) throws InterruptedException {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        long[] nanos = new long[nodes.size()];
        Peer[] dialled = new Peer[nodes.size()];
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>("");
        long start = System.nanoTime();
        forEach(nodes.size(), DIAL_CONCURRENCY, "scale-dial-", i -> {
            long t = System.nanoTime();
            try {
                dialled[i] = nodes.get(i).connect(server, CONNECT_TIMEOUT);
                nanos[i] = System.nanoTime() - t;
            } catch (CrustException e) {
                if (failures.getAndIncrement() == 0) {
                    firstFailure.set(e.getMessage());
                }
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        StringJoiner millis = new StringJoiner(";");
        for (int i = 0; i < dialled.length; i++) {
            peers.add(dialled[i]);
            if (dialled[i] != null) {
                millis.add(String.valueOf(nanos[i] / 1_000_000));
            }
        }
        Figures.of("share-dialled").put("connected", nodes.size() - failures.get()).put("failures", failures.get())
                .put("firstFailure", firstFailure.get()).put("seconds", seconds).put("millis", millis.toString()).print();
    }

    private void closeBeyond(int keep) throws InterruptedException {
        long start = System.nanoTime();
        List<CrustNode> closing = new ArrayList<>(nodes.subList(Math.min(keep, nodes.size()), nodes.size()));
        forEach(closing.size(), 16, "scale-close-", i -> closing.get(i).close());
        nodes.subList(Math.min(keep, nodes.size()), nodes.size()).clear();
        if (peers.size() > keep) {
            peers.subList(keep, peers.size()).clear();
        }
        Figures.of("share-closed").put("nodes", nodes.size()).put("seconds", (System.nanoTime() - start) / 1e9).print();
    }

    /**
     * The first {@code count} peers that are still open each send {@code perPeer} messages, all at once, one
     * virtual thread each.
     */
    private void send(int count, int perPeer, int bytes) throws InterruptedException {
        byte[] message = new byte[bytes];
        AtomicLong failures = new AtomicLong();
        List<Peer> open = peers.subList(0, Math.min(count, peers.size())).stream().filter(p -> p != null && p.isOpen()).toList();
        long start = System.nanoTime();
        forEach(open.size(), Integer.MAX_VALUE, "scale-send-", i -> {
            Peer peer = open.get(i);
            try {
                for (int k = 0; k < perPeer; k++) {
                    peer.send(message);
                }
            } catch (CrustException | RuntimeException e) {
                failures.incrementAndGet();
            }
        });
        Figures.of("share-sent").put("failures", failures.get()).put("seconds", (System.nanoTime() - start) / 1e9).print();
    }

    interface Task {
        void run(int index) throws Exception;
    }

    /** Runs {@code task} for 0..count-1, each on its own virtual thread, at most {@code parallel} at once; waits for all. */
    private static void forEach(int count, int parallel, String threadName, Task task) throws InterruptedException {
        Semaphore slots = new Semaphore(parallel);
        List<Thread> threads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            slots.acquire();
            threads.add(Thread.ofVirtual().name(threadName + i).start(() -> {
                try {
                    task.run(index);
                } catch (Exception e) {
                    System.err.println(threadName + index + ": " + e);
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
