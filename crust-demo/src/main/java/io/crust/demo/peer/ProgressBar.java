package io.crust.demo.peer;

import java.util.Locale;

/** One line showing how far a file transfer got: {@code name [#######.......]  45%  12.0 MiB / 26.7 MiB}. */
final class ProgressBar {
    private static final int WIDTH = 30;

    private ProgressBar() {
    }

    static String render(String label, long done, long total) {
        double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        String shortLabel = label.length() > 24 ? label.substring(0, 21) + "..." : label;
        return String.format(Locale.ROOT, "%-24s [%s%s] %3d%%  %s / %s", shortLabel, "#".repeat(filled),
                ".".repeat(WIDTH - filled), (int) Math.floor(fraction * 100), size(done), size(total));
    }

    /** A byte count for people: {@code 512 B}, {@code 3.4 KiB}, {@code 12.0 MiB}, {@code 1.5 GiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
