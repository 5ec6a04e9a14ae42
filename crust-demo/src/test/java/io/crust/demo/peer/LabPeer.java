package io.crust.demo.peer;

import io.crust.demo.Main;
import io.crust.testkit.lab.LabException;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** {@code crust-demo peer --json} in a lab namespace: a new JVM started on the lab host, driven by lines. */
final class LabPeer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(90);

    private final LabProcess process;
    private final String id;
    private final String started;
    final long startNanos;

    private LabPeer(LabProcess process, long startNanos) throws LabException {
        this.process = process;
        this.startNanos = startNanos;
        this.started = await("started");
        this.id = JsonPeer.field(started, "id");
    }

    /** Starts a peer on {@code host} with data in {@code dataDir}, network {@code lab}, and the given options. */
    static LabPeer start(LabHost host, Path dataDir, String... options) throws LabException {
        List<String> args = new ArrayList<>(List.of("peer", "--json", "--network", "lab", "--data-dir", dataDir.toString()));
        args.addAll(List.of(options));
        long now = System.nanoTime();
        return new LabPeer(host.startJava(List.of("-Xmx1g"), Main.class, args.toArray(String[]::new)), now);
    }

    String id() {
        return id;
    }

    /** A field of the {@code started} event. */
    String startedField(String name) {
        return JsonPeer.field(started, name);
    }

    void command(String line) throws LabException {
        process.writeLine(line);
    }

    /** The next event named {@code event} (after the last one awaited) that matches. */
    String await(String event, Predicate<String> matcher) throws LabException {
        return process.awaitLine(l -> event.equals(JsonPeer.field(l, "event")) && matcher.test(l), WAIT);
    }

    String await(String event) throws LabException {
        return await(event, l -> true);
    }

    List<String> lines() {
        return process.lines();
    }

    LabProcess process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.close();
    }
}
