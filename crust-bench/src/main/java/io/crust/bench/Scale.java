package io.crust.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Scale through the real service API, between processes on this machine: a {@link ScaleServer} JVM
 * hosts one listening {@link io.crust.core.CrustNode}; {@link ScaleClients} JVMs host the N client
 * nodes that dial it (TCP, Noise XX, HELLO, heartbeats: the full path an application gets). This
 * process only coordinates; it holds no connection.
 *
 * <p>Measured: the time to establish all N connections; the server's heap (after a full GC), platform
 * and virtual threads and file descriptors with N idle connections against its baseline; the same
 * for the clients. Then every client but M is closed (the server's descriptors and threads must
 * fall back) and the remaining M peers each send K messages of 100 bytes to the server at once:
 * messages per second as received by the server's application (its event queue).
 *
 * <pre>
 *   java -cp CP io.crust.bench.Scale CONNECTIONS MESSAGE_PEERS MESSAGES_PER_PEER HEARTBEAT_SECONDS CLIENT_JVMS WORK_DIR
 * </pre>
 *
 * Prints JSON lines: every sample, then one {@code scale} and one {@code scale-messages} summary.
 * Exits 1 if a connection or a message was lost.
 */
public final class Scale {
    private static final int MESSAGE_BYTES = 100;

    private final int connections;
    private final int messagePeers;
    private final int messagesPerPeer;
    private final int heartbeatSeconds;
    private final int clientJvms;
    private final Path workDir;
    private final List<Child> children = new ArrayList<>();

    private Scale(String[] args) {
        connections = Integer.parseInt(args[0]);
        messagePeers = Integer.parseInt(args[1]);
        messagesPerPeer = Integer.parseInt(args[2]);
        heartbeatSeconds = Integer.parseInt(args[3]);
        clientJvms = Integer.parseInt(args[4]);
        workDir = Path.of(args[5]);
        if (messagePeers > connections || connections % clientJvms != 0 || messagePeers % clientJvms != 0) {
            throw new IllegalArgumentException("MESSAGE_PEERS <= CONNECTIONS, both multiples of CLIENT_JVMS");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: Scale CONNECTIONS MESSAGE_PEERS MESSAGES_PER_PEER HEARTBEAT_SECONDS CLIENT_JVMS WORK_DIR");
            System.exit(2);
        }
        System.exit(new Scale(args).run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        Files.createDirectories(workDir);
        int share = connections / clientJvms;
        // Measured: about 350 KB of heap per connection on each side; room for that plus the JVM's own.
        long heapMiB = 512 + (long) connections * 450 / 1024;
        long shareHeapMiB = 512 + (long) share * 500 / 1024;
        try {
            Child server = start("-Xmx" + heapMiB + "m", ScaleServer.class.getName(),
                    String.valueOf(connections + 64), String.valueOf(heartbeatSeconds), workDir.resolve("server").toString());
            int port = Integer.parseInt(server.awaitLine("READY").split(" ")[1]);
            List<Child> clients = new ArrayList<>();
            for (int i = 0; i < clientJvms; i++) {
                clients.add(start("-Xmx" + shareHeapMiB + "m", ScaleClients.class.getName()));
            }
            Figures serverBaseline = server.ask("measure baseline");
            List<Figures> clientBaseline = all(clients, c -> c.ask("measure client-baseline"));

            long t = System.nanoTime();
            all(clients, c -> c.ask("start " + share + " " + heartbeatSeconds + " "
                    + workDir.resolve("clients-" + clients.indexOf(c))));
            double nodeStartSeconds = (System.nanoTime() - t) / 1e9;
            List<Figures> clientStarted = all(clients, c -> c.ask("measure client-nodes-started"));

            t = System.nanoTime();
            List<Figures> dialled = all(clients, c -> c.ask("dial " + port));
            double establishSeconds = (System.nanoTime() - t) / 1e9;
            Figures reached = server.ask("await-peers " + connections + " 30");

            // Idle for two heartbeat intervals so every connection has exchanged heartbeats before it is counted.
            Thread.sleep(Duration.ofSeconds(2L * heartbeatSeconds));
            Figures serverIdle = server.ask("measure connected-idle");
            List<Figures> clientIdle = all(clients, c -> c.ask("measure client-connected-idle"));

            long failures = sum(dialled, "failures");
            long connected = connections - failures;
            long[] millis = dialled.stream().map(f -> (String) f.get("millis")).filter(s -> !s.isEmpty())
                    .flatMap(s -> Arrays.stream(s.split(";"))).mapToLong(Long::parseLong).sorted().toArray();
            Figures.of("scale").put("connections", connections).put("connected", connected).put("failures", failures)
                    .put("firstFailure", dialled.stream().map(f -> (String) f.get("firstFailure"))
                            .filter(s -> !s.isEmpty()).findFirst().orElse(""))
                    .put("clientJvms", clientJvms).put("heartbeatSeconds", heartbeatSeconds)
                    .put("nodeStartSeconds", nodeStartSeconds)
                    .put("establishSeconds", establishSeconds)
                    .put("connectionsPerSecond", connected / establishSeconds)
                    .put("dialConcurrency", ScaleClients.DIAL_CONCURRENCY * clientJvms)
                    .put("connectP50Millis", percentile(millis, 50)).put("connectP99Millis", percentile(millis, 99))
                    .put("serverPeersAfterIdle", (Number) serverIdle.get("peers"))
                    .put("serverLostReasons", (String) serverIdle.get("lostReasons"))
                    .put("serverHeapBaselineBytes", (Number) serverBaseline.get("heapBytes"))
                    .put("serverHeapConnectedBytes", (Number) serverIdle.get("heapBytes"))
                    // per connection still up when measured: connections lost before that hold no heap
                    .put("serverHeapPerConnectionBytes", perConnection(
                            num(serverIdle, "heapBytes") - num(serverBaseline, "heapBytes"), num(serverIdle, "peers")))
                    .put("serverPlatformThreadsBaseline", (Number) serverBaseline.get("platformThreads"))
                    .put("serverPlatformThreads", (Number) serverIdle.get("platformThreads"))
                    .put("serverVirtualThreadsBaseline", (Number) serverBaseline.get("virtualThreads"))
                    .put("serverVirtualThreads", (Number) serverIdle.get("virtualThreads"))
                    .put("serverFdsBaseline", (Number) serverBaseline.get("fds"))
                    .put("serverFds", (Number) serverIdle.get("fds"))
                    .put("clientHeapPerNodeBytes", perConnection(
                            sum(clientIdle, "heapBytes") - sum(clientBaseline, "heapBytes"), connections))
                    .put("clientHeapPerNodeBeforeDialBytes", perConnection(
                            sum(clientStarted, "heapBytes") - sum(clientBaseline, "heapBytes"), connections))
                    .put("clientPlatformThreads", sum(clientIdle, "platformThreads"))
                    .put("clientVirtualThreads", sum(clientIdle, "virtualThreads"))
                    .put("clientFds", sum(clientIdle, "fds"))
                    .put("serverPeersReachedSeconds", (Number) reached.get("seconds"))
                    .print();
            boolean ok = failures == 0 && "true".equals(reached.get("reached")) && num(serverIdle, "peers") == connections;
            return messages(server, clients) && ok;
        } finally {
            for (Child c : children) {
                c.quit();
            }
            deleteTree(workDir);
        }
    }

    /** Closes all client nodes but {@code messagePeers}, then those send {@code messagesPerPeer} each, all at once. */
    private boolean messages(Child server, List<Child> clients) throws Exception {
        int keepPerJvm = messagePeers / clientJvms;
        long t = System.nanoTime();
        all(clients, c -> c.ask("close-beyond " + keepPerJvm));
        double closeSeconds = (System.nanoTime() - t) / 1e9;
        Figures reached = server.ask("await-peers " + messagePeers + " 30");
        Figures afterClose = server.ask("measure after-closing");

        // Peers lost since (reported above) do not send: the rate is over the peers still connected.
        long open = sum(all(clients, c -> c.ask("count-open")), "open");
        long expected = open * messagesPerPeer;
        server.send("count-messages " + expected + " 120");
        server.awaitLine("ARMED");
        t = System.nanoTime();
        List<Figures> sent = all(clients, c -> c.ask("send " + keepPerJvm + " " + messagesPerPeer + " " + MESSAGE_BYTES));
        Figures received = Figures.parse(server.awaitLine("{"));
        double wallSeconds = (System.nanoTime() - t) / 1e9;
        long got = num(received, "messages");
        long sendFailures = sum(sent, "failures");
        Figures.of("scale-messages").put("peers", messagePeers).put("openPeers", open).put("messagesPerPeer", messagesPerPeer)
                .put("messageBytes", MESSAGE_BYTES).put("expected", expected).put("received", got)
                .put("sendFailures", sendFailures).put("wallSeconds", wallSeconds)
                .put("messagesPerSecond", got / wallSeconds)
                .put("serverFirstToLastSeconds", (Number) received.get("firstToLastSeconds"))
                .put("closed", connections - messagePeers).put("closeSeconds", closeSeconds)
                .put("serverPeersAfterClose", (Number) reached.get("peers"))
                .put("serverLostReasonsAfterClose", (String) afterClose.get("lostReasons"))
                .put("serverFdsAfterClose", (Number) afterClose.get("fds"))
                .put("serverVirtualThreadsAfterClose", (Number) afterClose.get("virtualThreads"))
                .put("serverHeapAfterCloseBytes", (Number) afterClose.get("heapBytes"))
                .print();
        return got == expected && sendFailures == 0 && "true".equals(reached.get("reached"));
    }

    private Child start(String heap, String main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Child c = new Child(p);
        children.add(c);
        return c;
    }

    /** Runs {@code step} on every child at once (one virtual thread each) and returns the answers in order. */
    private static List<Figures> all(List<Child> children, Step step) throws Exception {
        List<Callable<Figures>> calls = children.stream().<Callable<Figures>>map(c -> () -> step.on(c)).toList();
        Figures[] answers = new Figures[calls.size()];
        Exception[] errors = new Exception[calls.size()];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            int index = i;
            threads.add(Thread.ofVirtual().name("scale-child-" + i).start(() -> {
                try {
                    answers[index] = calls.get(index).call();
                } catch (Exception e) {
                    errors[index] = e;
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        for (Exception e : errors) {
            if (e != null) {
                throw e;
            }
        }
        return List.of(answers);
    }

    interface Step {
        Figures on(Child child) throws IOException;
    }

    /** A child JVM driven by lines on its stdin; answers are lines on its stdout. */
    static final class Child {
        private final Process process;
        private final PrintWriter in;
        private final BufferedReader out;

        Child(Process process) {
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        void send(String line) {
            in.println(line);
            in.flush();
        }

        /** Sends a command and returns (and prints, without the long list of connect times) the JSON answer. */
        Figures ask(String command) throws IOException {
            send(command);
            String line = awaitLine("{");
            System.out.println(line.replaceAll("\"millis\":\"[^\"]*\"", "\"millis\":\"(not printed)\""));
            return Figures.parse(line);
        }

        String awaitLine(String prefix) throws IOException {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IOException("child " + process.pid() + " ended before printing a line starting with " + prefix);
        }

        void quit() throws InterruptedException {
            send("quit");
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static long num(Figures f, String key) {
        return ((Number) f.get(key)).longValue();
    }

    private static long sum(List<Figures> figures, String key) {
        return figures.stream().mapToLong(f -> num(f, key)).sum();
    }

    private static long perConnection(long delta, long count) {
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
