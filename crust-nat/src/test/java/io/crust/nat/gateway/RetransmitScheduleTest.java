package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetransmitScheduleTest {

    @Test
    void natPmpStartsAt250MillisecondsAndDoubles() {
        RetransmitSchedule s = RetransmitSchedule.natPmp(Duration.ofMillis(250), 9);
        long[] millis = new long[9];
        for (int i = 0; i < 9; i++) {
            millis[i] = s.timeoutNanos(i, 0) / 1_000_000;
        }
        assertThat(millis).containsExactly(250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000);
    }

    @Test
    void pcpStartsNearThreeSecondsAndRoughlyDoublesWithinTenPercent() {
        RetransmitSchedule s = RetransmitSchedule.pcp(Duration.ofSeconds(3), 9, new SplittableRandom(7));
        long first = s.timeoutNanos(0, 0);
        assertThat(first).isBetween(2_700_000_000L, 3_300_000_000L);
        long second = s.timeoutNanos(1, first);
        assertThat(second).isBetween((long) (1.9 * first), (long) (2.1 * first));
        assertThat(s.timeoutNanos(12, Duration.ofSeconds(1000).toNanos())).isEqualTo(Duration.ofSeconds(1024).toNanos());
    }
}
