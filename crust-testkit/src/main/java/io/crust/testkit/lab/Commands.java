package io.crust.testkit.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs short commands (ip, nft, sysctl...) with a timeout, capturing their output. */
final class Commands {

    private static final Logger LOG = LoggerFactory.getLogger(Commands.class);

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private Commands() {
    }

    /** Runs {@code command} in the root namespace; the caller decides what a non-zero exit means. */
    static ExecResult run(Duration timeout, String stdin, List<String> command) throws LabException {
        LOG.debug("run: {}", String.join(" ", command));
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new LabException("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        StreamCollector out = StreamCollector.start(process.getInputStream(), "out");
        StreamCollector err = StreamCollector.start(process.getErrorStream(), "err");
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the command may exit without reading its input; its exit code tells what happened
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new LabException("command timed out after " + timeout + ": " + String.join(" ", command)
                        + "\nstderr so far: " + err.text(Duration.ofSeconds(1)));
            }
            return new ExecResult(command, process.exitValue(), out.text(timeout), err.text(timeout));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Runs {@code command} and fails unless it exits with code 0. */
    static ExecResult check(String... command) throws LabException {
        return run(DEFAULT_TIMEOUT, null, List.of(command)).orThrow();
    }

    /** {@code ip netns exec <namespace> <command...>} as one argument list. */
    static List<String> inNamespace(String namespace, List<String> command) {
        List<String> full = new ArrayList<>(command.size() + 4);
        full.add("ip");
        full.add("netns");
        full.add("exec");
        full.add(namespace);
        full.addAll(command);
        return full;
    }

    /** Reads a stream to its end on a virtual thread. */
    private static final class StreamCollector {
        private final Thread reader;
        private volatile byte[] bytes = new byte[0];

        private StreamCollector(InputStream stream, String what) {
            this.reader = Thread.ofVirtual().name("crust-lab-cmd-" + what).start(() -> {
                try (stream) {
                    bytes = stream.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        static StreamCollector start(InputStream stream, String what) {
            return new StreamCollector(stream, what);
        }

        String text(Duration wait) throws InterruptedException {
            reader.join(wait);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
