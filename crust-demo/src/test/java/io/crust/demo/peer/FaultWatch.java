package io.crust.demo.peer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * What the fault scripts of {@link LabFaultsTest} watch while a fault is on: a peer's JSON lines from a
 * given position on (so an event is found wherever it sits among the others), the partial file a
 * receiver is writing, and plain clocks. The peers run in other processes, so waiting here means
 * looking again every {@value #POLL_MILLIS} ms until the condition holds or the time is up.
 */
final class FaultWatch {
    static final long POLL_MILLIS = 20;

    /** A condition that may need I/O to be checked. */
    interface Check {
        boolean holds() throws Exception;
    }

    /** A measurement that may need I/O. */
    interface Sample {
        long value() throws Exception;
    }

    private FaultWatch() {
    }

    /** Waits until {@code check} holds; the seconds it took. Fails naming {@code what} when {@code timeout} passes. */
    static double awaitTrue(String what, Duration timeout, Check check) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not seen within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(POLL_MILLIS).toNanos());
        }
        return seconds(start);
    }

    /** Lets {@code duration} pass (a fault is held meanwhile), sampling every 100 ms; the largest value seen. */
    static long largestDuring(Duration duration, Sample sample) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        long largest = sample.value();
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(Math.min(Duration.ofMillis(100).toNanos(), Math.max(0, end - System.nanoTime())));
            largest = Math.max(largest, sample.value());
        }
        return largest;
    }

    /** The first line at index {@code from} or later of {@code peer}'s output that is event {@code event} and matches; null if none yet. */
    static String find(LabPeer peer, int from, String event, Predicate<String> matcher) {
        List<String> lines = peer.lines();
        for (int i = from; i < lines.size(); i++) {
            String line = lines.get(i);
            if (event.equals(JsonPeer.field(line, "event")) && matcher.test(line)) {
                return line;
            }
        }
        return null;
    }

    /** Waits for such a line (see {@link #find}) and returns it. */
    static String awaitEvent(LabPeer peer, int from, String event, Predicate<String> matcher, Duration timeout) throws Exception {
        String[] found = new String[1];
        try {
            awaitTrue("'" + event + "' event", timeout, () -> (found[0] = find(peer, from, event, matcher)) != null);
        } catch (AssertionError e) {
            List<String> lines = peer.lines();
            throw new AssertionError(e.getMessage() + " from " + peer.id().substring(0, 8) + " after line " + from
                    + "; its lines since then:\n" + String.join("\n", lines.subList(Math.min(from, lines.size()), lines.size())), e);
        }
        return found[0];
    }

    /** The lines at index {@code from} or later that are event {@code event} and match. */
    static List<String> all(LabPeer peer, int from, String event, Predicate<String> matcher) {
        List<String> lines = peer.lines();
        return lines.subList(Math.min(from, lines.size()), lines.size()).stream()
                .filter(l -> event.equals(JsonPeer.field(l, "event")) && matcher.test(l)).toList();
    }

    /** Bytes in the partial files ({@code .incoming-*.part}) a receiving peer is writing in {@code receivedDir}. */
    static long partialBytes(Path receivedDir) throws IOException {
        if (!Files.isDirectory(receivedDir)) {
            return 0;
        }
        long total = 0;
        try (Stream<Path> files = Files.list(receivedDir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith(".incoming-")).toList()) {
                try {
                    total += Files.size(p);
                } catch (IOException e) {
                    // renamed or deleted between listing and size: the transfer just ended
                }
            }
        }
        return total;
    }

    /** Writes {@code bytes} of seeded random content to {@code file}; its SHA-256 in hex. */
    static String randomFile(Path file, int bytes, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random random = new Random(seed);
        byte[] block = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < bytes; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, Math.min(block.length, bytes - written));
            }
        }
        return sha256(file);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    /** Asks {@code id} every half second until the peer lists an external address (its port mapping); the id line. */
    static String awaitExternalAddress(LabPeer peer) throws Exception {
        long deadline = System.nanoTime() + LabPeer.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            int mark = peer.lines().size();
            peer.command("id");
            String id = awaitEvent(peer, mark, "id", l -> true, LabPeer.WAIT);
            if (!id.contains("\"external\":[]")) {
                return id;
            }
            largestDuring(Duration.ofMillis(500), () -> 0);
        }
        throw new AssertionError("no external address within " + LabPeer.WAIT);
    }
}
