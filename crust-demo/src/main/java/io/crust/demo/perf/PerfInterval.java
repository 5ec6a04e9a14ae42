package io.crust.demo.perf;

import io.crust.demo.Json;
import java.util.Locale;

/** One interval report of {@code perf client --interval}: the bytes sent between two times since the start. */
record PerfInterval(Transport transport, double startSeconds, double endSeconds, long bytes) {

    double mbps() {
        double seconds = endSeconds - startSeconds;
        return seconds <= 0 ? 0 : bytes * 8 / seconds / 1e6;
    }

    String line(boolean json) {
        if (json) {
            return Json.object().put("event", "interval").put("transport", transport.name())
                    .put("startSeconds", round(startSeconds)).put("endSeconds", round(endSeconds)).put("bytes", bytes)
                    .put("mbps", round(mbps())).toString();
        }
        return String.format(Locale.ROOT, "%s client %7.2f-%-7.2f s  %,15d bytes  %8.1f Mbit/s", transport, startSeconds,
                endSeconds, bytes, mbps());
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
