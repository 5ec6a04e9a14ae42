package io.crust.core.proof;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The churn soak of issue 7 item 5, short in every build; the long run is the same test with
 * {@code -Dcrust.soak.minutes=30} (see docs/reliability.md for the command).
 */
class ChurnSoakTest {
    /** Default run length in CI: long enough for dozens of joins and leaves, short enough for the suite. */
    private static final double DEFAULT_MINUTES = 0.6;

    @TempDir
    Path dir;

    @Test
    void nodesJoiningLeavingAndSendingLoseNoMessageSilentlyAndLeakNothing() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("crust.soak.minutes", String.valueOf(DEFAULT_MINUTES)));
        Duration duration = Duration.ofMillis((long) (minutes * 60_000));
        boolean longRun = duration.compareTo(Duration.ofMinutes(5)) > 0;
        ChurnSoak.Settings settings = new ChurnSoak.Settings(dir, duration, 24, 3, Duration.ofSeconds(1),
                Duration.ofMillis(50), longRun ? Duration.ofMinutes(1) : Duration.ofSeconds(10),
                Long.getLong("crust.soak.seed", 7));
        ChurnSoak.Outcome outcome = new ChurnSoak(settings, line -> Figures.print("soak", "%s", line)).run();

        Figures.print("soak", "%d s of churn: %d joins, %d leaves during the run (%d with the final close), %d drops, "
                + "%d dials (%d failed)", outcome.runSeconds(), outcome.joins(), outcome.churnLeaves(), outcome.leaves(),
                outcome.drops(), outcome.dials(), outcome.failedDials());
        Ledger.Tally tally = outcome.tally();
        assertThat(tally.unaccounted()).as("messages neither delivered nor reported failed: %s", tally).isZero();
        assertThat(tally.duplicates()).as("duplicates").isZero();
        assertThat(tally.corrupted()).as("corrupted").isZero();
        assertThat(outcome.settled()).as("every message delivered or explained at the end").isTrue();
        assertThat(tally.delivered()).as("the run did deliver traffic").isGreaterThan(tally.sent() / 2);
        assertThat(outcome.churnLeaves()).as("nodes left during the run").isPositive();
        assertThat(outcome.drops()).as("peers were dropped during the run").isPositive();

        Resources before = outcome.before();
        Resources after = outcome.after();
        // Relative to the start, not zero: in a full build, other test classes run earlier in this JVM.
        assertThat(after.crustThreads()).as("crust threads left after every node closed: %s then %s", before, after)
                .isLessThanOrEqualTo(before.crustThreads());
        assertThat(after.fileDescriptors()).as("file descriptors: %s then %s", before, after)
                .isLessThanOrEqualTo(before.fileDescriptors() + 2);
        assertThat(after.heapBytes()).as("heap after GC: %s then %s", before, after)
                .isLessThan(before.heapBytes() + 32L * 1024 * 1024);
    }
}
