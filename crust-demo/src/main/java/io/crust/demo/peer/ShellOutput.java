package io.crust.demo.peer;

import io.crust.demo.Json;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything the peer prints on standard output, in one of two forms: one JSON object per line
 * ({@code --json}, for programs) or short readable lines with a progress bar (for people). Events
 * are built once as name + fields, so both forms always carry the same facts.
 *
 * <p>Thread-safe: the command loop and the event thread both print.
 */
final class ShellOutput {
    private static final long PROGRESS_REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean json;
    private final boolean progressBar;
    private final ReentrantLock lock = new ReentrantLock();
    /** Length of the progress line on screen, 0 if none; the next normal line first clears it. */
    private int progressChars;
    private long lastProgressNanos;

    /**
     * @param json one JSON object per line instead of lines for people
     * @param progressBar whether file transfers redraw a progress bar (people at a terminal only)
     */
    ShellOutput(PrintWriter out, boolean json, boolean progressBar) {
        this.out = out;
        this.json = json;
        this.progressBar = progressBar && !json;
    }

    boolean json() {
        return json;
    }

    /** Prints an event; {@code keyValues} alternate field names and values. */
    void event(String name, Object... keyValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            fields.put((String) keyValues[i], keyValues[i + 1]);
        }
        lock.lock();
        try {
            clearProgress();
            if (json) {
                Json object = Json.object().put("event", name);
                fields.forEach(object::put);
                out.println(object);
            } else {
                out.println(human(name, fields));
            }
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** Prints a line for people only (help text, hints); nothing in JSON mode. */
    void note(String line) {
        if (json) {
            return;
        }
        lock.lock();
        try {
            clearProgress();
            out.println(line);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Redraws the progress bar (people at a terminal only, at most ten times a second, always at
     * 100 %). Without a terminal the completion events say the same in one line each.
     */
    void progress(String label, long done, long total) {
        if (!progressBar) {
            return;
        }
        lock.lock();
        try {
            long now = System.nanoTime();
            if (done < total && progressChars > 0 && now - lastProgressNanos < PROGRESS_REDRAW_NANOS) {
                return;
            }
            lastProgressNanos = now;
            String line = ProgressBar.render(label, done, total);
            out.print("\r" + line + " ".repeat(Math.max(0, progressChars - line.length())));
            progressChars = line.length();
            if (done >= total) {
                out.println();
                progressChars = 0;
            }
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    private void clearProgress() {
        if (progressChars > 0) {
            out.print("\r" + " ".repeat(progressChars) + "\r");
            progressChars = 0;
        }
    }

    private static String human(String name, Map<String, Object> f) {
        return switch (name) {
            case "started" -> "Crust peer " + f.get("id") + "\n  listening on TCP port " + orNone(f.get("tcp"))
                    + ", UDP port " + orNone(f.get("udp")) + "; network '" + f.get("network") + "'"
                    + "\n  received files go to " + f.get("files") + "\nType help for the commands.";
            case "id" -> "id " + f.get("id") + "\n  TCP " + orNone(f.get("tcp")) + ", UDP " + orNone(f.get("udp"))
                    + ", external " + list(f.get("external")) + "\n  connection info " + f.get("info");
            case "connected" -> (Boolean.TRUE.equals(f.get("already")) ? "already connected to " : "connected to ")
                    + f.get("peer") + " (" + f.get("transport") + ", " + f.get("route") + ", " + f.get("remote") + ")";
            case "upgraded" -> "connection to " + shortId(f.get("peer")) + " moved from " + f.get("from") + " to "
                    + f.get("route") + " (" + f.get("transport") + (f.get("remote") == null ? "" : ", " + f.get("remote")) + ")";
            case "message" -> "[" + shortId(f.get("peer")) + "] " + f.get("text");
            case "file" -> "received " + f.get("path") + " from " + shortId(f.get("peer")) + " ("
                    + ProgressBar.size((Long) f.get("bytes")) + ", SHA-256 verified)";
            case "file-sent" -> "sent " + f.get("path") + " to " + shortId(f.get("peer")) + " ("
                    + ProgressBar.size((Long) f.get("bytes")) + ")";
            case "lost" -> "lost " + shortId(f.get("peer")) + ": " + f.get("reason");
            case "dropped" -> "dropped " + shortId(f.get("peer"));
            case "banned" -> "banned " + f.get("target");
            case "misbehaviour" -> "misbehaviour of " + (f.get("peer") == null ? f.get("remote") : shortId(f.get("peer")))
                    + ": " + f.get("kind").toString().toLowerCase(Locale.ROOT).replace('_', ' ') + " (" + f.get("detail") + ")";
            case "bootstrapped" -> "bootstrapped: connected to " + ((Collection<?>) f.get("peers")).size() + " peer(s)";
            case "bootstrap-failed" -> "bootstrap failed: " + f.get("reason");
            case "peers" -> peers(f.get("peers"));
            case "error" -> "error: " + f.get("message");
            default -> name + " " + f;
        };
    }

    private static String peers(Object value) {
        Collection<?> peers = (Collection<?>) value;
        if (peers.isEmpty()) {
            return "no peers connected";
        }
        StringBuilder s = new StringBuilder(peers.size() + " peer(s):");
        for (Object p : peers) {
            Map<?, ?> m = (Map<?, ?>) p;
            s.append("\n  ").append(m.get("peer")).append("  ").append(m.get("transport")).append(' ')
                    .append(m.get("route")).append(' ').append(m.get("remote"));
        }
        return s.toString();
    }

    private static String shortId(Object peer) {
        String id = String.valueOf(peer);
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    private static String orNone(Object value) {
        return value == null ? "off" : value.toString();
    }

    private static String list(Object value) {
        Collection<?> items = (Collection<?>) value;
        return items == null || items.isEmpty() ? "none known yet" : String.join(", ", items.stream().map(String::valueOf).toList());
    }
}
