package io.crust.demo.peer;

import java.time.Duration;

/** What became of a file sent from A to B through a loss burst on B's router ({@link LabFaultsTest}, fault d). */
record BurstOutcome(Duration burst, long kibBefore, long kibDuring, double resumeSeconds, double totalSeconds, int fileBytes,
        String sha256Sent, String sha256Received, String sha256OnDisk, boolean fileSent, String error) {
    @Override
    public String toString() {
        return String.format("every packet through B's router dropped for %.1f s: %d KiB received before, %d KiB during;"
                        + " %s; %s after sendfile", burst.toMillis() / 1e3, kibBefore, kibDuring,
                resumeSeconds < 0 ? "the transfer did not resume" : String.format("resumed %.2f s after the burst", resumeSeconds),
                fileSent ? String.format("%d MiB arrived byte-exact (SHA-256) %.2f s", fileBytes >> 20, totalSeconds)
                        : String.format("sendfile failed %.2f s (%s)", totalSeconds, error));
    }
}
