package io.crust.demo.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.udt.ConnectionStats;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The backlog a {@code perf client --duration} run lets crust-udt hold ({@link PerfClientCommand#hasRoomFor}). */
class SendBacklogTest {
    private static final int CHUNK = 64 * 1024;
    private static final long SECOND = 1_000_000_000L;

    /** Stats with {@code sent} bytes sent once, {@code inFlight} of them unacknowledged, and a window of {@code window}. */
    private static ConnectionStats stats(long sent, long inFlight, long window) {
        return new ConnectionStats(Duration.ofMillis(50), Duration.ofMillis(50), window, inFlight, 0, 0, 0, sent, 0, 0,
                1472, 0, 0, 0, 0, 0);
    }

    @Test
    void aChunkThatWouldTakeTheBacklogPastHalfASecondOfDeliveryWaits() {
        // 1 MB acknowledged in 1 s: half a second is 500,000 bytes; the window is small.
        ConnectionStats st = stats(1_000_000, 0, 10_000);
        assertThat(PerfClientCommand.hasRoomFor(CHUNK, st, 1_000_000 + 400_000, SECOND)).isTrue();
        assertThat(PerfClientCommand.hasRoomFor(CHUNK, st, 1_000_000 + 450_000, SECOND)).isFalse();
    }

    @Test
    void theBacklogMayHoldTwiceTheWindowBeforeAnythingIsAcknowledged() {
        ConnectionStats st = stats(100_000, 100_000, 100_000);
        assertThat(PerfClientCommand.hasRoomFor(CHUNK, st, 130_000, SECOND / 100)).isTrue();
        assertThat(PerfClientCommand.hasRoomFor(CHUNK, st, 140_000, SECOND / 100)).isFalse();
    }

    @Test
    void onAPathThatDeliversAlmostNothingTheBacklogStillTakesOneChunk() {
        ConnectionStats st = stats(2_000, 0, 2_000);
        assertThat(PerfClientCommand.hasRoomFor(CHUNK, st, 2_000, 10 * SECOND)).isTrue();
        assertThat(PerfClientCommand.hasRoomFor(CHUNK, st, 2_000 + 1, 10 * SECOND)).isFalse();
    }
}
