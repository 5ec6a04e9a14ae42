package io.crust.demo.peer;

import io.crust.demo.OutputLines;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A {@code crust-demo peer --json} running in this JVM on its own thread, driven like a script would:
 * commands written to its standard input, JSON lines read from its standard output.
 */
final class JsonPeer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final PipedOutputStream stdin = new PipedOutputStream();
    private final OutputLines output = new OutputLines();
    private final Thread thread;
    private volatile Integer exitCode;

    JsonPeer(Path dataDir, String... extraArgs) throws IOException {
        PeerCommand command = new PeerCommand();
        command.input = new PipedInputStream(stdin, 1 << 16);
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(output, true));
        List<String> args = new ArrayList<>(List.of("--json", "--no-upnp", "--data-dir", dataDir.toString(),
                "--network", "demo-test"));
        if (!List.of(extraArgs).contains("--bind")) {
            args.addAll(List.of("--bind", "127.0.0.1"));
        }
        args.addAll(List.of(extraArgs));
        thread = Thread.ofPlatform().name("json-peer-" + dataDir.getFileName()).start(() -> {
            exitCode = cli.execute(args.toArray(String[]::new));
            output.end();
        });
    }

    /** Writes one command line to the peer. */
    void command(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** Waits for the next line (after those already awaited) with this event name that matches. */
    String await(String event, Predicate<String> matcher) throws InterruptedException {
        return awaitLine("'" + event + "' event", line -> event.equals(field(line, "event")) && matcher.test(line));
    }

    /** Waits for the next line (after those already awaited) that matches; {@code what} names it in the failure. */
    String awaitLine(String what, Predicate<String> matcher) throws InterruptedException {
        return output.awaitLine(what, matcher, WAIT);
    }

    String await(String event) throws InterruptedException {
        return await(event, l -> true);
    }

    /** Every line printed so far. */
    List<String> lines() {
        return output.lines();
    }

    /** Sends quit and waits for the peer to end; its exit code. */
    int quit() throws Exception {
        command("quit");
        thread.join(WAIT.toMillis());
        return exitCode == null ? -1 : exitCode;
    }

    @Override
    public void close() throws Exception {
        if (thread.isAlive()) {
            stdin.close();
            thread.join(WAIT.toMillis());
        }
    }

    /** A string or number field of a flat JSON line, unescaped enough for ids, paths and simple text. */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(\"((?:[^\"\\\\]|\\\\.)*)\"|(-?[0-9.]+|true|false)|null)").matcher(json);
        if (!m.find()) {
            return null;
        }
        if (m.group(2) != null) {
            return m.group(2).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return m.group(3);
    }
}
