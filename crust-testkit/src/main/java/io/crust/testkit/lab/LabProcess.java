package io.crust.testkit.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process the lab started inside a namespace. Its stdout is read line by line into memory (see
 * {@link #awaitLine}); its stderr goes to {@link #stderrLog()}. A transcript beside it
 * ({@code NAME.stdout.log}) holds every stdout line and every line written to stdin ({@code > line}),
 * each after the wall-clock time, so that two processes' views of one exchange line up. The lab kills it on close at the
 * latest; {@link #close()} kills it earlier.
 */
public final class LabProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LabProcess.class);
    private static final Duration GRACE = Duration.ofSeconds(3);

    private final String name;
    private final Process process;
    private final Path stderrLog;
    private final Writer stdin;
    /** The transcript; null if it could not be created (the run goes on without it). */
    private final Writer transcript;
    private final ReentrantLock transcriptLock = new ReentrantLock();
    private final Thread stdoutReader;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition lineAdded = lock.newCondition();
    private final List<String> lines = new ArrayList<>();
    private int cursor;
    private boolean stdoutClosed;

    LabProcess(String name, Process process, Path stderrLog) {
        this.name = name;
        this.process = process;
        this.stderrLog = stderrLog;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.transcript = openTranscript(stderrLog.resolveSibling(name + ".stdout.log"));
        this.stdoutReader = Thread.ofVirtual().name("crust-lab-out-" + name).start(this::readStdout);
    }

    /** A short name for logs: the namespace and the program. */
    public String name() {
        return name;
    }

    /** The operating-system process id (of the program itself: {@code ip netns exec} execs it). */
    public long pid() {
        return process.pid();
    }

    /** Where its stderr is written. */
    public Path stderrLog() {
        return stderrLog;
    }

    /**
     * Waits for the next stdout line (after the last one this method returned) that matches, and
     * returns it. Fails when the process ends or {@code timeout} passes first; the exception tells
     * the last lines seen and the end of the stderr LOG.
     */
    public String awaitLine(Predicate<String> matcher, Duration timeout) throws LabException {
        return pollLine(matcher, timeout).orElseThrow(() -> failure("printed no matching line within " + timeout));
    }

    /**
     * As {@link #awaitLine}, but empty when {@code timeout} passes first (for a caller that watches
     * several processes in turn). Fails when the process ends its output first.
     */
    public Optional<String> pollLine(Predicate<String> matcher, Duration timeout) throws LabException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                while (cursor < lines.size()) {
                    String line = lines.get(cursor++);
                    if (matcher.test(line)) {
                        return Optional.of(line);
                    }
                }
                if (stdoutClosed) {
                    throw failure("ended its output before a matching line");
                }
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) {
                    return Optional.empty();
                }
                lineAdded.awaitNanos(leftNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for " + name, e);
        } finally {
            lock.unlock();
        }
    }

    /** Every stdout line read so far. */
    public List<String> lines() {
        lock.lock();
        try {
            return List.copyOf(lines);
        } finally {
            lock.unlock();
        }
    }

    /** Writes one line to its stdin and flushes. */
    public void writeLine(String line) throws LabException {
        record("> " + line);
        try {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new LabException("cannot write to " + name + " (exited? " + !process.isAlive() + ")", e);
        }
    }

    /** Closes its stdin (programs that read commands take that as "stop"). */
    public void closeStdin() {
        try {
            stdin.close();
        } catch (IOException e) {
            LOG.debug("closing stdin of {}", name, e);
        }
    }

    /** Waits for it to exit and returns the exit code. */
    public int waitFor(Duration timeout) throws LabException {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("did not exit within " + timeout);
            }
            stdoutReader.join(GRACE);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for " + name, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills it: SIGTERM, then SIGKILL after a grace period; its child processes too. */
    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        closeStdin();
    }

    private void readStdout() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                LOG.debug("[{}] {}", name, line);
                record(line);
                lock.lock();
                try {
                    lines.add(line);
                    lineAdded.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            LOG.debug("stdout of {} ended", name, e);
        } finally {
            lock.lock();
            try {
                stdoutClosed = true;
                lineAdded.signalAll();
            } finally {
                lock.unlock();
            }
            closeTranscript();
        }
    }

    private static Writer openTranscript(Path file) {
        try {
            return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.debug("no transcript at {}", file, e);
            return null;
        }
    }

    /** Appends one line to the transcript, flushed, so a killed run keeps it. */
    private void record(String line) {
        if (transcript == null) {
            return;
        }
        transcriptLock.lock();
        try {
            transcript.write(java.time.LocalTime.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + " " + line + "\n");
            transcript.flush();
        } catch (IOException e) {
            LOG.trace("transcript of {}: {}", name, e.toString());
        } finally {
            transcriptLock.unlock();
        }
    }

    private void closeTranscript() {
        if (transcript == null) {
            return;
        }
        transcriptLock.lock();
        try {
            transcript.close();
        } catch (IOException e) {
            LOG.trace("closing the transcript of {}: {}", name, e.toString());
        } finally {
            transcriptLock.unlock();
        }
    }

    private LabException failure(String what) {
        List<String> seen = lines();
        String exit = process.isAlive() ? "still running" : "exit code " + process.exitValue();
        return new LabException(name + " " + what + " (" + exit + ")"
                + "\nlast stdout lines: " + seen.subList(Math.max(0, seen.size() - 10), seen.size())
                + "\nstderr tail (" + stderrLog + "):\n" + tail(stderrLog, 2_000));
    }

    static String tail(Path file, int maxChars) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= maxChars ? text : "..." + text.substring(text.length() - maxChars);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "LabProcess[" + name + ", pid " + process.pid() + "]";
    }
}
