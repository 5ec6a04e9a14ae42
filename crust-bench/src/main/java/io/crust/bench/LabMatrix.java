package io.crust.bench;

import static io.crust.bench.DemoPeer.field;

import io.crust.testkit.lab.LabException;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The NAT lab matrix through crust-core: every ordered pair of {@link NatKind}s (public host, full cone,
 * address-restricted, port-restricted, symmetric, UPnP, double NAT), A connecting to B by peer id with
 * the demo peer ({@code crust-demo peer --json}, one JVM per peer), {@code TRIES} times per pair.
 *
 * <p>One lab serves the whole matrix: two public peers (the first relays) are every peer's bootstrap
 * contacts, rendezvous and STUN servers (two, so that a symmetric NAT shows itself); each kind has an
 * A-side and a B-side host, each with its own peer, so a pair of one kind is two sites of that kind.
 * Only the UPnP peers ask their router for port mappings (the others run with {@code --no-upnp}), and
 * the matrix starts once both have their TCP port mapped.
 *
 * <p>A try: A writes {@code connect B-ID}; the time runs until A prints its {@code connected} event for B
 * (the first authenticated connection, measured in this JVM, so JVM start is not included). When that
 * connection is relayed, the try then waits up to {@code UPGRADE_WAIT} seconds for the {@code upgraded}
 * event that moves it to a direct path, and records when it came. Then the pair is dropped from both
 * ends until neither lists the other, so that the next try starts from nothing (the NATs may still hold
 * mappings from the try before). A try whose {@code connected} event came before its {@code connect}
 * (a late attempt of the try before connected the pair again) is stale and has no time.
 *
 * <p>Prints one {@code lab-matrix} JSON line per try, one {@code lab-matrix-pair} line per pair and a
 * {@code lab-matrix-summary} line; {@code crust-bench/report.py} renders the table.
 *
 * <p>{@code -Dlabmatrix.debug=true} runs the A and B peers with {@code --debug}: their debug logs land in the
 * lab's log folder beside each transcript, for a try that failed.
 *
 * <pre>
 *   java -cp CP io.crust.bench.LabMatrix TRIES WORK_DIR [UPGRADE_WAIT_SECONDS [KIND,... | A&gt;B,...]]
 * </pre>
 * A list of kinds runs every ordered pair of them (all seven kinds unless told); {@code A>B} pairs run
 * only those, for example {@code PORT_RESTRICTED_CONE>SYMMETRIC,SYMMETRIC>PORT_RESTRICTED_CONE}.
 */
public final class LabMatrix {
    private static final int PORT = 5483;
    /** Issue 10's acceptance: time to the first authenticated connection, p50 and p99, for every pair. */
    private static final double P50_GOAL_MILLIS = 1000;
    private static final double P99_GOAL_MILLIS = 3000;

    private final int tries;
    private final Duration upgradeWait;
    private final List<Try> all = new ArrayList<>();
    private int lateReconnects;

    private LabMatrix(int tries, Duration upgradeWait) {
        this.tries = tries;
        this.upgradeWait = upgradeWait;
    }

    public static void main(String[] args) throws Exception {
        int tries = Integer.parseInt(args[0]);
        Path workDir = Path.of(args[1]);
        Duration upgradeWait = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 10);
        List<NatKind[]> pairs = new ArrayList<>();
        if (args.length > 3 && args[3].contains(">")) {
            for (String pair : args[3].split(",")) {
                String[] ab = pair.split(">");
                pairs.add(new NatKind[] {NatKind.valueOf(ab[0]), NatKind.valueOf(ab[1])});
            }
        } else {
            List<NatKind> only = args.length > 3 ? Arrays.stream(args[3].split(",")).map(NatKind::valueOf).toList()
                    : List.of(NatKind.values());
            for (NatKind a : only) {
                for (NatKind b : only) {
                    pairs.add(new NatKind[] {a, b});
                }
            }
        }
        List<NatKind> kinds = Arrays.stream(NatKind.values())
                .filter(k -> pairs.stream().anyMatch(p -> p[0] == k || p[1] == k)).toList();
        LabMatrix bench = new LabMatrix(tries, upgradeWait);
        String error = "";
        try (NatLab lab = NatLab.start("matrix")) {
            bench.run(lab, Files.createTempDirectory(Files.createDirectories(workDir), "matrix"), kinds, pairs);
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            System.err.println("matrix stopped: " + e);
            e.printStackTrace();
        }
        boolean ok = bench.summary(kinds, error);
        System.exit(ok ? 0 : 1);
    }

    private void run(NatLab lab, Path dir, List<NatKind> kinds, List<NatKind[]> pairs) throws Exception {
        List<DemoPeer> started = new ArrayList<>();
        try {
            List<String> contacts = new ArrayList<>();
            for (int h = 1; h <= 2; h++) {
                LabHost hub = lab.publicHost();
                List<String> options = new ArrayList<>(List.of("--listen-tcp", String.valueOf(PORT), "--listen-udp",
                        String.valueOf(PORT), "--no-upnp"));
                if (h == 1) {
                    options.add("--relay");
                }
                started.add(DemoPeer.start(hub, dir.resolve("hub" + h), options.toArray(String[]::new)));
                contacts.addAll(List.of("--contact", hub.address().getHostAddress() + ":" + PORT));
            }
            List<String> hubIds = started.stream().map(p -> p.id).toList();
            Map<NatKind, DemoPeer> sideA = new EnumMap<>(NatKind.class);
            Map<NatKind, DemoPeer> sideB = new EnumMap<>(NatKind.class);
            for (NatKind kind : kinds) {
                for (Map<NatKind, DemoPeer> side : List.of(sideA, sideB)) {
                    LabHost host = lab.hostBehind(kind);
                    List<String> options = new ArrayList<>(contacts);
                    if (kind != NatKind.UPNP) {
                        options.add("--no-upnp");
                    }
                    if (Boolean.getBoolean("labmatrix.debug")) {
                        options.add("--debug"); // each peer's debug log goes to its stderr log in the lab folder
                    }
                    String name = kind.name().toLowerCase() + (side == sideA ? "-a" : "-b");
                    DemoPeer peer = DemoPeer.start(host, dir.resolve(name), options.toArray(String[]::new));
                    started.add(peer);
                    side.put(kind, peer);
                }
            }
            for (NatKind kind : kinds) {
                for (DemoPeer peer : List.of(sideA.get(kind), sideB.get(kind))) {
                    awaitBothHubs(peer, hubIds);
                    if (kind == NatKind.UPNP) {
                        peer.awaitTcpMapping(upnpPublicAddress(peer));
                    }
                    peer.mark();
                }
            }
            for (NatKind[] p : pairs) {
                pair(p[0], sideA.get(p[0]), p[1], sideB.get(p[1]));
            }
        } finally {
            started.reversed().forEach(DemoPeer::close);
        }
    }

    /**
     * Waits for the {@code connected} events of both public peers: a connect by id offers our public
     * candidates only once a connected peer has told us how it sees us.
     */
    private static void awaitBothHubs(DemoPeer peer, List<String> hubIds) throws LabException {
        List<String> waiting = new ArrayList<>(hubIds);
        while (!waiting.isEmpty()) {
            String line = peer.await("connected", l -> waiting.contains(field(l, "peer")));
            waiting.remove(field(line, "peer"));
        }
    }

    /** The public address of a UPnP peer's router, as a public peer saw it (its reflexive address). */
    private static String upnpPublicAddress(DemoPeer peer) throws Exception {
        // Every external address of a host behind one NAT is its router's address; wait for the first one.
        peer.awaitExternalAddress();
        peer.command("id");
        String id = peer.await("id", l -> true);
        int start = id.indexOf("\"external\":[\"") + "\"external\":[\"".length();
        return id.substring(start, id.indexOf(':', start));
    }

    private void pair(NatKind kindA, DemoPeer a, NatKind kindB, DemoPeer b) throws Exception {
        List<Try> tries = new ArrayList<>();
        int stale = 0;
        lateReconnects = 0;
        for (int i = 1; i <= this.tries; i++) {
            Try t = connect(kindA, a, kindB, b, i);
            if (t == null) {
                stale++;
            } else {
                tries.add(t);
                all.add(t);
                t.print();
            }
            lateReconnects += DemoPeer.separate(a, b);
        }
        pairSummary(kindA, kindB, tries, stale);
    }

    /** One try; null when it was stale. */
    private Try connect(NatKind kindA, DemoPeer a, NatKind kindB, DemoPeer b, int index) throws Exception {
        int linesBefore = a.process.lines().size();
        long start = System.nanoTime();
        a.command("connect " + b.id);
        String line;
        try {
            line = a.await(l -> "error".equals(field(l, "event"))
                    || "connected".equals(field(l, "event")) && b.id.equals(field(l, "peer")));
        } catch (LabException e) {
            return Try.failed(kindA, kindB, index, millisSince(start), firstLine(e) + "; " + diagnose(a, b));
        }
        double millis = millisSince(start);
        if ("error".equals(field(line, "event"))) {
            return Try.failed(kindA, kindB, index, millis, "connect failed: " + field(line, "message"));
        }
        if (a.indexOf(line) < linesBefore || DemoPeer.already(line)) {
            return null; // the pair was connected before this try (a late attempt of the try before)
        }
        String route = field(line, "route");
        String transport = field(line, "transport");
        String finalRoute = route;
        String finalTransport = transport;
        double upgradeMillis = -1;
        if ("relayed".equals(route)) {
            try {
                String upgraded = a.await(l -> "upgraded".equals(field(l, "event")) && b.id.equals(field(l, "peer")),
                        upgradeWait);
                upgradeMillis = millisSince(start);
                finalRoute = field(upgraded, "route");
                finalTransport = field(upgraded, "transport");
            } catch (LabException stayedRelayed) {
                // no direct path within the wait: the try ends relayed
            }
        }
        // A direct connection may also have moved on (crust-udt to TCP, say): report where the try ended.
        List<String> lines = a.process.lines();
        for (String l : lines.subList(linesBefore, lines.size())) {
            if ("upgraded".equals(field(l, "event")) && b.id.equals(field(l, "peer"))) {
                finalRoute = field(l, "route");
                finalTransport = field(l, "transport");
            }
        }
        return new Try(kindA, kindB, index, millis, route, transport, finalRoute, finalTransport, upgradeMillis, "");
    }

    /**
     * What a try that printed nothing leaves to look at: whether A lists B now (then connect returned and no
     * connected event was printed) and a thread dump of A (then connect may be stuck), beside A's stderr log.
     */
    private static String diagnose(DemoPeer a, DemoPeer b) {
        String listed;
        try {
            listed = a.peers().contains(b.id) ? "A lists B" : "A does not list B";
        } catch (LabException e) {
            listed = "A does not answer peers";
        }
        Path dump = a.process.stderrLog().resolveSibling(a.process.name() + "-" + System.nanoTime() + ".threads.txt");
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(a.process.pid()), "Thread.dump_to_file", dump.toString()).redirectErrorStream(true).start();
            jcmd.getInputStream().transferTo(OutputStream.nullOutputStream());
            jcmd.waitFor();
        } catch (Exception e) {
            return listed + "; no thread dump: " + e;
        }
        return listed + "; threads of A in " + dump;
    }

    private void pairSummary(NatKind kindA, NatKind kindB, List<Try> tries, int stale) {
        List<Double> millis = new ArrayList<>();
        List<Double> upgrades = new ArrayList<>();
        Map<String, Integer> first = new TreeMap<>();
        Map<String, Integer> last = new TreeMap<>();
        int direct = 0;
        String firstError = "";
        for (Try t : tries) {
            if (!t.error.isEmpty()) {
                firstError = firstError.isEmpty() ? "try " + t.index + ": " + t.error : firstError;
                continue;
            }
            millis.add(t.millis);
            first.merge(t.route + "/" + t.transport, 1, Integer::sum);
            last.merge(t.finalRoute + "/" + t.finalTransport, 1, Integer::sum);
            if (!"relayed".equals(t.finalRoute)) {
                direct++;
            }
            if (t.upgradeMillis >= 0) {
                upgrades.add(t.upgradeMillis);
            }
        }
        millis.sort(null);
        upgrades.sort(null);
        double p50 = percentile(millis, 50);
        double p99 = percentile(millis, 99);
        boolean connectedAll = millis.size() + stale == this.tries;
        Figures.of("lab-matrix-pair").put("a", kindA.name()).put("b", kindB.name()).put("tries", this.tries)
                .put("connected", millis.size()).put("stale", stale).put("p50Millis", p50).put("p99Millis", p99)
                .put("maxMillis", millis.isEmpty() ? 0.0 : millis.getLast())
                .put("firstRoutes", first.toString()).put("finalRoutes", last.toString()).put("directAtEnd", direct)
                .put("upgraded", upgrades.size()).put("upgradeP50Millis", percentile(upgrades, 50))
                .put("reconnectsAfterDrop", lateReconnects)
                .put("meetsGoal", connectedAll && p50 <= P50_GOAL_MILLIS && p99 <= P99_GOAL_MILLIS ? "yes" : "no")
                .put("status", connectedAll ? "ok" : "FAILED").put("why", firstError).print();
    }

    private boolean summary(List<NatKind> kinds, String error) {
        List<Double> millis = new ArrayList<>(all.stream().filter(t -> t.error.isEmpty()).map(t -> t.millis).sorted().toList());
        long failed = all.stream().filter(t -> !t.error.isEmpty()).count();
        Figures.of("lab-matrix-summary").put("kinds", kinds.toString()).put("triesPerPair", tries)
                .put("upgradeWaitSeconds", upgradeWait.toSeconds()).put("timed", millis.size()).put("failed", failed)
                .put("p50Millis", percentile(millis, 50)).put("p99Millis", percentile(millis, 99))
                .put("maxMillis", millis.isEmpty() ? 0.0 : millis.getLast())
                .put("status", error.isEmpty() && failed == 0 ? "ok" : "FAILED").put("why", error).print();
        return error.isEmpty() && failed == 0;
    }

    private static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("").replace('"', '\'');
    }

    private record Try(NatKind a, NatKind b, int index, double millis, String route, String transport, String finalRoute,
            String finalTransport, double upgradeMillis, String error) {
        static Try failed(NatKind a, NatKind b, int index, double millis, String error) {
            return new Try(a, b, index, millis, "-", "-", "-", "-", -1, error);
        }

        void print() {
            Figures.of("lab-matrix").put("a", a.name()).put("b", b.name()).put("try", index).put("millis", millis)
                    .put("route", route).put("transport", transport).put("finalRoute", finalRoute)
                    .put("finalTransport", finalTransport).put("upgradeMillis", upgradeMillis).put("error", error).print();
        }
    }
}
