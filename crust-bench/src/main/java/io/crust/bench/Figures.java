package io.crust.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One JSON line of figures, with the CPU time this process has used so far. */
final class Figures {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|[^,}]+)");
    private final Map<String, Object> values = new LinkedHashMap<>();

    static Figures of(String kind) {
        Figures f = new Figures();
        f.values.put("kind", kind);
        return f;
    }

    Object get(String key) {
        return values.get(key);
    }

    /** Reads back one line written by {@link #print()} (flat: numbers and strings without quotes inside). */
    static Figures parse(String line) {
        Figures f = new Figures();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            String v = m.group(2);
            if (v.startsWith("\"")) {
                f.values.put(m.group(1), v.substring(1, v.length() - 1));
            } else if (v.contains(".") || v.contains("E") || v.contains("N")) {
                f.values.put(m.group(1), Double.parseDouble(v));
            } else {
                f.values.put(m.group(1), Long.parseLong(v));
            }
        }
        return f;
    }

    Figures put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    /** Adds megabits per second (10^6 bits) for {@code bytes} moved in {@code nanos}. */
    Figures goodput(long bytes, long nanos) {
        values.put("bytes", bytes);
        values.put("seconds", nanos / 1e9);
        values.put("mbps", bytes * 8.0 / (nanos / 1e9) / 1e6);
        return this;
    }

    static double processCpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos() / 1e9;
    }

    /** Prints the figures as one JSON object, adding this process's CPU seconds. */
    void print() {
        values.put("cpuSeconds", processCpuSeconds());
        StringBuilder out = new StringBuilder("{");
        values.forEach((k, v) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(k).append("\":");
            if (v instanceof Number n) {
                out.append(n instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : n.toString());
            } else {
                out.append('"').append(String.valueOf(v).replace("\"", "'")).append('"');
            }
        });
        System.out.println(out.append('}'));
        System.out.flush();
    }
}
