package io.crust.demo.perf;

import io.crust.demo.Json;
import java.util.HexFormat;
import java.util.Locale;

/** One session's figures, printed as a readable line or as one JSON object. */
record PerfResult(String role, Transport transport, String peer, long bytes, double seconds, byte[] sha256,
                  String details) {

    double mbps() {
        return seconds <= 0 ? 0 : bytes * 8 / seconds / 1e6;
    }

    String sha256Hex() {
        return HexFormat.of().formatHex(sha256);
    }

    String line(boolean json) {
        if (json) {
            Json j = Json.object().put("role", role).put("transport", transport.name()).put("peer", peer)
                    .put("bytes", bytes).put("seconds", round(seconds)).put("mbps", round(mbps()))
                    .put("sha256", sha256Hex());
            if (details != null) {
                j.put("details", details);
            }
            return j.toString();
        }
        return String.format(Locale.ROOT, "%s %s %s: %d bytes in %.3f s = %.1f Mbit/s, sha256 %s%s", transport, role,
                peer, bytes, seconds, mbps(), sha256Hex(), details == null ? "" : " (" + details + ")");
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
