package io.crust.bench;

import static io.crust.bench.DemoPeer.field;

import io.crust.testkit.lab.LabException;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Time to connect in the NAT lab (crust-testkit's {@link NatLab}), with the demo peer
 * ({@code crust-demo peer --json}, one JVM per peer, each in its own namespace) driven by lines as a
 * script would drive it. Needs root, ip and nft.
 *
 * <ul>
 *   <li>{@code direct}: two public hosts; A runs {@code connect B-ADDRESS:5483}.</li>
 *   <li>{@code punched}: A and B behind two port-restricted cone NATs, both bootstrapped off a public
 *       peer; A runs {@code connect B-ID} (rendezvous through the public peer, then punching).</li>
 *   <li>{@code mapped}: as punched, but B sits behind the UPnP router (miniupnpd) and maps its ports.</li>
 *   <li>{@code relayed}: A and B behind symmetric NATs; the public peer relays.</li>
 *   <li>{@code lan}: A and B on one site with {@code --lan} and no contacts; each try starts a new B
 *       (new identity) and times B's {@code started} event to A's {@code connected} event (0 when A's
 *       line was read first: the two are read by different threads).</li>
 * </ul>
 *
 * For the first four, one lab and one set of peers serve every try: connect, await {@code connected},
 * {@code drop}, await B's {@code lost}, again. So only the first try meets fresh NAT state; later
 * tries may reuse mappings the routers still hold. A try whose {@code connected} event was printed before its
 * {@code connect} command (the pair had connected again by itself after the last drop) is counted as stale
 * and has no time. Each try prints a {@code lab-connect} line with
 * the route label the node reported; each scenario ends with a {@code lab-connect-summary} line.
 *
 * <pre>
 *   java -cp CP io.crust.bench.LabConnect TRIES WORK_DIR [SCENARIO,...]
 * </pre>
 */
public final class LabConnect {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final int tries;
    private final Path workDir;
    private int failedScenarios;
    private int lateReconnects;
    private int staleTries;

    private LabConnect(int tries, Path workDir) {
        this.tries = tries;
        this.workDir = workDir;
    }

    public static void main(String[] args) throws Exception {
        List<String> scenarios = args.length > 2 ? List.of(args[2].split(","))
                : List.of("direct", "punched", "mapped", "relayed", "lan");
        LabConnect bench = new LabConnect(Integer.parseInt(args[0]), Path.of(args[1]));
        for (String s : scenarios) {
            bench.scenario(s);
        }
        System.exit(bench.failedScenarios == 0 ? 0 : 1);
    }

    private void scenario(String name) {
        List<Try> results = new ArrayList<>();
        String error = "";
        lateReconnects = 0;
        staleTries = 0;
        try (NatLab lab = NatLab.start("bench" + name.charAt(0))) {
            Path dir = Files.createTempDirectory(Files.createDirectories(workDir), name);
            switch (name) {
                case "direct" -> direct(lab, dir, results);
                case "punched" -> byId(lab, dir, results, NatKind.PORT_RESTRICTED_CONE, NatKind.PORT_RESTRICTED_CONE, false);
                case "mapped" -> byId(lab, dir, results, NatKind.PORT_RESTRICTED_CONE, NatKind.UPNP, false);
                case "relayed" -> byId(lab, dir, results, NatKind.SYMMETRIC, NatKind.SYMMETRIC, true);
                case "lan" -> lan(lab, dir, results);
                default -> throw new IllegalArgumentException("unknown scenario " + name);
            }
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        summary(name, results, error);
    }

    private void direct(NatLab lab, Path dir, List<Try> results) throws Exception {
        LabHost hostA = lab.publicHost();
        LabHost hostB = lab.publicHost();
        try (DemoPeer b = DemoPeer.start(hostB, dir.resolve("b"), "--listen-tcp", "5483", "--listen-udp", "5483", "--no-upnp");
                DemoPeer a = DemoPeer.start(hostA, dir.resolve("a"), "--no-upnp")) {
            repeat(a, b, "connect " + hostB.address().getHostAddress() + ":5483", results);
        }
    }

    private void byId(NatLab lab, Path dir, List<Try> results, NatKind kindA, NatKind kindB, boolean relay) throws Exception {
        if (kindB == NatKind.UPNP) {
            lab.startStunServer();
        }
        LabHost publicHost = lab.publicHost();
        Site siteA = lab.site(kindA);
        Site siteB = lab.site(kindB);
        String contact = publicHost.address().getHostAddress() + ":5483";
        List<String> publicOptions = new ArrayList<>(List.of("--listen-tcp", "5483", "--listen-udp", "5483", "--no-upnp"));
        if (relay) {
            publicOptions.add("--relay");
        }
        try (DemoPeer p = DemoPeer.start(publicHost, dir.resolve("p"), publicOptions.toArray(String[]::new));
                DemoPeer a = DemoPeer.start(siteA.host(), dir.resolve("a"), "--contact", contact, "--no-upnp");
                DemoPeer b = kindB == NatKind.UPNP ? DemoPeer.start(siteB.host(), dir.resolve("b"), "--contact", contact)
                        : DemoPeer.start(siteB.host(), dir.resolve("b"), "--contact", contact, "--no-upnp")) {
            a.await("bootstrapped", l -> true);
            b.await("bootstrapped", l -> true);
            if (kindB == NatKind.UPNP) {
                b.awaitExternalAddress();
            }
            repeat(a, b, "connect " + b.id, results);
        }
    }

    /** Connect, await connected, drop until neither side lists the other; {@code tries} times. */
    private void repeat(DemoPeer a, DemoPeer b, String connect, List<Try> results) throws Exception {
        for (int i = 1; i <= tries; i++) {
            int linesBefore = a.process.lines().size();
            long start = System.nanoTime();
            a.command(connect);
            try {
                String line = a.await(l -> "error".equals(field(l, "event"))
                        || "connected".equals(field(l, "event")) && b.id.equals(field(l, "peer")));
                double millis = (System.nanoTime() - start) / 1e6;
                if ("error".equals(field(line, "event"))) {
                    results.add(new Try(i, millis, "-", "-", "connect failed: " + field(line, "message")));
                } else if (a.indexOf(line) < linesBefore || DemoPeer.already(line)) {
                    // The pair connected again by itself after the last drop, before this try began: no connect time.
                    staleTries++;
                } else {
                    results.add(new Try(i, millis, field(line, "route"), field(line, "transport"), ""));
                }
            } catch (LabException e) {
                results.add(new Try(i, (System.nanoTime() - start) / 1e6, "-", "-", firstLine(e)));
            }
            lateReconnects += DemoPeer.separate(a, b);
        }
    }

    private void lan(NatLab lab, Path dir, List<Try> results) throws Exception {
        Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
        LabHost second = site.addHost();
        try (DemoPeer a = DemoPeer.start(site.host(), dir.resolve("a"), "--lan", "--no-upnp")) {
            for (int i = 1; i <= tries; i++) {
                // A's connected event is awaited on its own thread from before B starts, so that both events are
                // timed the same way however the two lines interleave (B is the only other peer on this LAN).
                AtomicReference<String> connected = new AtomicReference<>();
                AtomicLong connectedNanos = new AtomicLong();
                Thread waiter = Thread.ofVirtual().name("lab-lan-waiter").start(() -> {
                    try {
                        connected.set(a.await("connected", l -> true));
                        connectedNanos.set(System.nanoTime());
                    } catch (LabException e) {
                        connected.set("");
                    }
                });
                try (DemoPeer b = DemoPeer.start(second, dir.resolve("b" + i), "--lan", "--no-upnp")) {
                    waiter.join();
                    String line = connected.get();
                    double millis = (connectedNanos.get() - b.startedNanos) / 1e6;
                    if (line.isEmpty() || !b.id.equals(field(line, "peer"))) {
                        results.add(new Try(i, millis, "-", "-", line.isEmpty() ? "A printed no connected event within " + WAIT
                                : "A connected to another peer: " + line));
                        continue;
                    }
                    results.add(new Try(i, Math.max(0, millis), field(line, "route"), field(line, "transport"), ""));
                    b.command("quit");
                    a.await("lost", l -> b.id.equals(field(l, "peer")));
                }
            }
        }
    }

    private void summary(String name, List<Try> results, String error) {
        Map<String, Integer> routes = new TreeMap<>();
        List<Double> millis = new ArrayList<>();
        String firstError = error;
        for (Try t : results) {
            Figures.of("lab-connect").put("scenario", name).put("try", t.index).put("millis", t.millis)
                    .put("route", t.route).put("transport", t.transport).put("error", t.error).print();
            if (t.error.isEmpty()) {
                routes.merge(t.route + "/" + t.transport, 1, Integer::sum);
                millis.add(t.millis);
            } else if (firstError.isEmpty()) {
                firstError = "try " + t.index + ": " + t.error;
            }
        }
        millis.sort(null);
        boolean ok = error.isEmpty() && millis.size() + staleTries == tries;
        if (!ok) {
            failedScenarios++;
        }
        Figures.of("lab-connect-summary").put("scenario", name).put("tries", tries).put("connected", millis.size())
                .put("p50Millis", percentile(millis, 50)).put("p99Millis", percentile(millis, 99))
                .put("minMillis", millis.isEmpty() ? 0.0 : millis.getFirst())
                .put("maxMillis", millis.isEmpty() ? 0.0 : millis.getLast())
                .put("routes", routes.toString()).put("reconnectsAfterDrop", lateReconnects)
                .put("staleTries", staleTries).put("status", ok ? "ok" : "FAILED").put("why", firstError).print();
    }

    private static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("").replace('"', '\'');
    }

    private record Try(int index, double millis, String route, String transport, String error) {
    }
}
