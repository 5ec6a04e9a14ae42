package io.crust.bench;

import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;

/**
 * Scale between two processes on this machine, through the real service API: a {@link ScaleServer}
 * JVM hosts one listening {@link CrustNode}; this JVM starts {@code N} client nodes (one identity
 * each: Crust keeps one connection per pair of peers, so N connections need N identities) and each
 * dials the server (TCP, Noise XX, HELLO, heartbeats: the full path an application gets).
 *
 * <p>Then: the server's heap, threads and file descriptors with N idle connections against its
 * baseline; the time to establish them all; then every client node but {@code M} is closed and the
 * remaining M peers each send {@code K} messages of 100 bytes to the server at once: messages per
 * second as received by the server's application (its event queue).
 *
 * <pre>
 *   java -cp CP io.crust.bench.Scale CONNECTIONS MESSAGE_PEERS MESSAGES_PER_PEER HEARTBEAT_SECONDS WORK_DIR
 * </pre>
 *
 * Prints JSON lines: {@code scale-sample} for each measurement, then one {@code scale} and one
 * {@code scale-messages} summary.
 */
public final class Scale {
    /** Connections dialled at once; the server accepts up to 512 handshakes in progress. */
    private static final int DIAL_CONCURRENCY = 64;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final int MESSAGE_BYTES = 100;

    private final int connections;
    private final int messagePeers;
    private final int messagesPerPeer;
    private final int heartbeatSeconds;
    private final Path workDir;
    private Process server;
    private PrintWriter toServer;
    private BufferedReader fromServer;

    private Scale(String[] args) {
        connections = Integer.parseInt(args[0]);
        messagePeers = Integer.parseInt(args[1]);
        messagesPerPeer = Integer.parseInt(args[2]);
        heartbeatSeconds = Integer.parseInt(args[3]);
        workDir = Path.of(args[4]);
        if (messagePeers > connections) {
            throw new IllegalArgumentException("MESSAGE_PEERS must not exceed CONNECTIONS");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Scale CONNECTIONS MESSAGE_PEERS MESSAGES_PER_PEER HEARTBEAT_SECONDS WORK_DIR");
            System.exit(2);
        }
        System.exit(new Scale(args).run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        Files.createDirectories(workDir);
        int port = startServer();
        InetSocketAddress serverAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        CrustNode[] clients = new CrustNode[connections];
        AtomicReferenceArray<Peer> peers = new AtomicReferenceArray<>(connections);
        try {
            Figures serverBaseline = ask("measure baseline");
            Figures clientBaseline = ScaleServer.measure("client-baseline");
            clientBaseline.print();

            long startNodes = System.nanoTime();
            startClients(clients);
            double nodeStartSeconds = (System.nanoTime() - startNodes) / 1e9;
            Figures clientNodes = ScaleServer.measure("client-nodes-started");
            clientNodes.print();

            long[] connectNanos = new long[connections];
            AtomicLong failures = new AtomicLong();
            AtomicReference<String> firstFailure = new AtomicReference<>("");
            long startConnect = System.nanoTime();
            dialAll(clients, serverAddress, peers, connectNanos, failures, firstFailure);
            double establishSeconds = (System.nanoTime() - startConnect) / 1e9;
            Figures reached = ask("await-peers " + connections + " 120");

            // Idle for two heartbeat intervals so every connection has exchanged heartbeats before it is counted.
            Thread.sleep(Duration.ofSeconds(2L * heartbeatSeconds));
            Figures serverConnected = ask("measure connected-idle");
            Figures clientConnected = ScaleServer.measure("client-connected-idle");
            clientConnected.print();

            long[] sorted = Arrays.stream(connectNanos).filter(n -> n > 0).sorted().toArray();
            long connected = connections - failures.get();
            Figures summary = Figures.of("scale").put("connections", connections).put("connected", connected)
                    .put("failures", failures.get()).put("firstFailure", firstFailure.get())
                    .put("heartbeatSeconds", heartbeatSeconds)
                    .put("nodeStartSeconds", nodeStartSeconds)
                    .put("establishSeconds", establishSeconds)
                    .put("connectionsPerSecond", connected / establishSeconds)
                    .put("dialConcurrency", DIAL_CONCURRENCY)
                    .put("connectP50Millis", percentile(sorted, 50) / 1e6)
                    .put("connectP99Millis", percentile(sorted, 99) / 1e6)
                    .put("serverPeersAfterIdle", (Number) serverConnected.get("peers"))
                    .put("serverHeapBaselineBytes", (Number) serverBaseline.get("heapBytes"))
                    .put("serverHeapConnectedBytes", (Number) serverConnected.get("heapBytes"))
                    .put("serverHeapPerConnectionBytes", perConnection(serverConnected, serverBaseline, "heapBytes", connected))
                    .put("serverPlatformThreads", (Number) serverConnected.get("platformThreads"))
                    .put("serverPlatformThreadsBaseline", (Number) serverBaseline.get("platformThreads"))
                    .put("serverVirtualThreads", (Number) serverConnected.get("virtualThreads"))
                    .put("serverVirtualThreadsBaseline", (Number) serverBaseline.get("virtualThreads"))
                    .put("serverFds", (Number) serverConnected.get("fds"))
                    .put("serverFdsBaseline", (Number) serverBaseline.get("fds"))
                    .put("clientHeapPerNodeBytes", perConnection(clientConnected, clientBaseline, "heapBytes", connections))
                    .put("clientHeapPerNodeBeforeConnectBytes", perConnection(clientNodes, clientBaseline, "heapBytes", connections))
                    .put("clientPlatformThreads", (Number) clientConnected.get("platformThreads"))
                    .put("clientVirtualThreads", (Number) clientConnected.get("virtualThreads"))
                    .put("clientFds", (Number) clientConnected.get("fds"))
                    .put("serverPeersReachedSeconds", (Number) reached.get("seconds"));
            summary.print();
            boolean ok = failures.get() == 0 && "true".equals(reached.get("reached"))
                    && ((Number) serverConnected.get("peers")).longValue() == connections;

            ok &= messages(clients, peers);
            return ok;
        } finally {
            for (CrustNode c : clients) {
                if (c != null) {
                    c.close();
                }
            }
            toServer.println("quit");
            toServer.flush();
            server.waitFor();
            deleteTree(workDir);
        }
    }

    /** Closes all but {@code messagePeers} clients, then those send {@code messagesPerPeer} each, all at once. */
    private boolean messages(CrustNode[] clients, AtomicReferenceArray<Peer> peers) throws Exception {
        long startClose = System.nanoTime();
        closeAll(clients, messagePeers);
        double closeSeconds = (System.nanoTime() - startClose) / 1e9;
        Figures reached = ask("await-peers " + messagePeers + " 120");
        Figures serverAfterClose = ask("measure after-closing-" + (connections - messagePeers));

        long expected = (long) messagePeers * messagesPerPeer;
        toServer.println("count-messages " + expected + " 300");
        toServer.flush();
        awaitLine("ARMED");
        AtomicLong sendFailures = new AtomicLong();
        byte[] message = new byte[MESSAGE_BYTES];
        long start = System.nanoTime();
        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < messagePeers; i++) {
            Peer peer = peers.get(i);
            senders.add(Thread.ofVirtual().name("scale-sender-" + i).start(() -> {
                try {
                    for (int k = 0; k < messagesPerPeer; k++) {
                        peer.send(message);
                    }
                } catch (CrustException | RuntimeException e) {
                    sendFailures.incrementAndGet();
                }
            }));
        }
        for (Thread t : senders) {
            t.join();
        }
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        Figures received = readFigures();
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        long got = ((Number) received.get("messages")).longValue();
        Figures.of("scale-messages").put("peers", messagePeers).put("messagesPerPeer", messagesPerPeer)
                .put("messageBytes", MESSAGE_BYTES).put("expected", expected).put("received", got)
                .put("sendFailures", sendFailures.get())
                .put("sendSeconds", sendSeconds).put("wallSeconds", wallSeconds)
                .put("messagesPerSecond", got / wallSeconds)
                .put("closeSeconds", closeSeconds).put("closed", connections - messagePeers)
                .put("serverPeersAfterClose", (Number) reached.get("peers"))
                .put("serverFdsAfterClose", (Number) serverAfterClose.get("fds"))
                .put("serverVirtualThreadsAfterClose", (Number) serverAfterClose.get("virtualThreads"))
                .put("serverHeapAfterCloseBytes", (Number) serverAfterClose.get("heapBytes"))
                .print();
        return got == expected && sendFailures.get() == 0 && "true".equals(reached.get("reached"));
    }

    private int startServer() throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ScaleServer.class.getName(),
                String.valueOf(connections + 64), String.valueOf(heartbeatSeconds), workDir.resolve("server").toString());
        server = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        toServer = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8);
        fromServer = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String ready = awaitLine("READY");
        return Integer.parseInt(ready.split(" ")[1]);
    }

    private void startClients(CrustNode[] clients) throws Exception {
        Semaphore slots = new Semaphore(8);
        List<Thread> starters = new ArrayList<>();
        AtomicReferenceArray<Exception> errors = new AtomicReferenceArray<>(1);
        for (int i = 0; i < clients.length; i++) {
            int index = i;
            slots.acquire();
            starters.add(Thread.ofVirtual().name("scale-start-" + i).start(() -> {
                try {
                    clients[index] = CrustNode.start(CrustConfig.builder()
                            .dataDir(workDir.resolve("client-" + index))
                            .networkName("crust-bench-scale")
                            .bindAddress(InetAddress.getLoopbackAddress())
                            .udp(false)
                            .heartbeatInterval(Duration.ofSeconds(heartbeatSeconds))
                            .heartbeatTimeout(Duration.ofSeconds(4L * heartbeatSeconds))
                            .eventQueueCapacity(64)
                            .build());
                } catch (Exception e) {
                    errors.compareAndSet(0, null, e);
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread t : starters) {
            t.join();
        }
        if (errors.get(0) != null) {
            throw errors.get(0);
        }
    }

    private static void dialAll(CrustNode[] clients, InetSocketAddress server, AtomicReferenceArray<Peer> peers,
            long[] connectNanos, AtomicLong failures, AtomicReference<String> firstFailure) throws InterruptedException {
        Semaphore slots = new Semaphore(DIAL_CONCURRENCY);
        List<Thread> dialers = new ArrayList<>();
        for (int i = 0; i < clients.length; i++) {
            int index = i;
            slots.acquire();
            dialers.add(Thread.ofVirtual().name("scale-dial-" + i).start(() -> {
                long start = System.nanoTime();
                try {
                    peers.set(index, clients[index].connect(server, CONNECT_TIMEOUT));
                    connectNanos[index] = System.nanoTime() - start;
                } catch (CrustException e) {
                    if (failures.getAndIncrement() == 0) {
                        firstFailure.set(e.getMessage());
                    }
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread t : dialers) {
            t.join();
        }
    }

    private static void closeAll(CrustNode[] clients, int keep) throws InterruptedException {
        Semaphore slots = new Semaphore(16);
        List<Thread> closers = new ArrayList<>();
        for (int i = keep; i < clients.length; i++) {
            CrustNode node = clients[i];
            clients[i] = null;
            slots.acquire();
            closers.add(Thread.ofVirtual().name("scale-close-" + i).start(() -> {
                try {
                    node.close();
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread t : closers) {
            t.join();
        }
    }

    private Figures ask(String command) throws IOException {
        toServer.println(command);
        toServer.flush();
        String line = awaitLine("{");
        System.out.println(line);
        return Figures.parse(line);
    }

    private Figures readFigures() throws IOException {
        return Figures.parse(awaitLine("{"));
    }

    private String awaitLine(String prefix) throws IOException {
        String line;
        while ((line = fromServer.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("the scale server ended before printing a line starting with " + prefix);
    }

    private static Number perConnection(Figures after, Figures before, String key, long count) {
        long delta = ((Number) after.get(key)).longValue() - ((Number) before.get(key)).longValue();
        return count == 0 ? 0 : delta / count;
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
