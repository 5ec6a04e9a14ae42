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
            Json j = Json.object().put("event", "result").put("role", role).put("transport", transport.name()).put("peer", peer)
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

    /** The socket buffers in words, saying so when the kernel granted less than was asked for. */
    static String describe(io.crust.udt.SocketBuffers b) {
        return String.format(Locale.ROOT, "socket buffers %d B received, %d B sent, %d B asked%s", b.receiveBytes(),
                b.sendBytes(), b.requestedBytes(), b.capped()
                        ? " (capped by the kernel: raise net.core.rmem_max and net.core.wmem_max)" : "");
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
