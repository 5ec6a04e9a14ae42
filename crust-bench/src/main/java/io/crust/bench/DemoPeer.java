package io.crust.bench;

import io.crust.demo.Main;
import io.crust.testkit.lab.LabException;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code crust-demo peer --json} JVM on a lab host, driven by lines as a script would drive it:
 * commands on its stdin, one JSON event per line on its stdout. Used by {@link LabConnect} and
 * {@link LabMatrix}.
 */
final class DemoPeer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\"([^\"]*)\"");
    private static final Pattern TCP_PORT = Pattern.compile("\"tcp\":(\\d+)");

    final LabProcess process;
    final long startedNanos;
    final String id;

    private DemoPeer(LabProcess process) throws LabException {
        this.process = process;
        String started = process.awaitLine(l -> "started".equals(field(l, "event")), WAIT);
        this.startedNanos = System.nanoTime();
        this.id = field(started, "id");
    }

    static DemoPeer start(LabHost host, Path dataDir, String... options) throws LabException {
        List<String> args = new ArrayList<>(List.of("peer", "--json", "--network", "bench", "--data-dir", dataDir.toString()));
        args.addAll(List.of(options));
        return new DemoPeer(host.startJava(List.of("-Xmx512m"), Main.class, args.toArray(String[]::new)));
    }

    /** True for a {@code connected} event that answers a connect of a peer connected before it ({@code "already":true}). */
    static boolean already(String json) {
        return json.contains("\"already\":true");
    }

    /** A string field of a JSON event line, or null. */
    static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        return null;
    }

    void command(String line) throws LabException {
        process.writeLine(line);
    }

    String await(String event, Predicate<String> matcher) throws LabException {
        return process.awaitLine(l -> event.equals(field(l, "event")) && matcher.test(l), WAIT);
    }

    String await(Predicate<String> matcher) throws LabException {
        return process.awaitLine(matcher, WAIT);
    }

    String await(Predicate<String> matcher, Duration timeout) throws LabException {
        return process.awaitLine(matcher, timeout);
    }

    /** Where this very line (not an equal one) is among every line the peer printed. */
    int indexOf(String line) {
        List<String> all = process.lines();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i) == line) {
                return i;
            }
        }
        return -1;
    }

    /** The {@code peers} event (every connected peer's id is in it). */
    String peers() throws LabException {
        command("peers");
        return await("peers", l -> true);
    }

    /** Reads this peer's events up to now: the next await sees only later lines. */
    void mark() throws LabException {
        command("id");
        await("id", l -> true);
    }

    /** Asks with {@code id} once a second until the peer reports an external address (its port mapping). */
    void awaitExternalAddress() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            command("id");
            if (!await("id", l -> true).contains("\"external\":[]")) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new LabException("no external address within " + WAIT);
    }

    /**
     * Asks with {@code id} until the peer lists {@code publicAddress} with its own TCP listening port
     * among its external addresses: the router has mapped that port (a reflexive TCP address, seen on
     * an outgoing connection, has another port). No event announces a mapping, so this asks every
     * 200 ms, up to {@link #WAIT}.
     */
    void awaitTcpMapping(String publicAddress) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            command("id");
            String id = await("id", l -> true);
            Matcher port = TCP_PORT.matcher(id);
            if (port.find() && id.contains("\"" + publicAddress + ":" + port.group(1) + "\"")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new LabException("no TCP port mapping on " + publicAddress + " within " + WAIT);
    }

    /**
     * Drops the pair from both ends until neither lists the other: a path that one side was still opening
     * (the rendezvous answer dials and punches too) can connect the pair again just after a drop. Both
     * event streams are read up to the last check, so the next try sees only later events.
     *
     * @return how many times the pair was found connected again after a drop
     */
    static int separate(DemoPeer a, DemoPeer b) throws Exception {
        int lateReconnects = 0;
        a.command("drop " + b.id);
        for (int round = 0; round < 30; round++) {
            // Read both event streams up to now first, then ask: a reconnection after this check prints its
            // connected event after the mark, where the next try sees it (and counts itself stale). Marked after
            // the check, such an event could be read past, and the next connect would print none (already announced).
            a.mark();
            b.mark();
            boolean aListsB = a.peers().contains(b.id);
            boolean bListsA = b.peers().contains(a.id);
            if (!aListsB && !bListsA) {
                return lateReconnects;
            }
            if (round > 0) {
                lateReconnects++;
            }
            if (aListsB) {
                a.command("drop " + b.id);
            }
            if (bListsA) {
                b.command("drop " + a.id);
            }
            Thread.sleep(500); // a late attempt connected them again: nothing announces its end
        }
        throw new LabException("the two peers were still connected after 30 rounds of drop");
    }

    @Override
    public void close() {
        process.close();
    }
}
