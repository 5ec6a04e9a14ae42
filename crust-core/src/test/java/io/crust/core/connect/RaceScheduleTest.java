package io.crust.core.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The race's schedule on a manual clock: which attempt starts when, and when the race gives up. */
class RaceScheduleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final ManualClock clock = new ManualClock();

    private RaceSchedule schedule(long... delaysMillis) {
        List<Duration> delays = java.util.Arrays.stream(delaysMillis).mapToObj(Duration::ofMillis).toList();
        return new RaceSchedule(delays, clock.nanoTime(), TIMEOUT);
    }

    @Test
    void eachAttemptStartsItsDelayAfterTheOneBeforeItStarted() {
        RaceSchedule s = schedule(0, 250, 300);

        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(0));
        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Wait(clock.nanoTime() + ms(250)));
        clock.advance(Duration.ofMillis(249));
        assertThat(s.next(clock.nanoTime(), 0, 0)).isInstanceOf(RaceSchedule.Wait.class);
        clock.advance(Duration.ofMillis(1));
        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(1));
        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Wait(clock.nanoTime() + ms(300)));
        clock.advance(Duration.ofMillis(300));
        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(2));
        assertThat(s.next(clock.nanoTime(), 0, 0)).as("all started: only the deadline is left")
                .isEqualTo(new RaceSchedule.Wait(clock.nanoTime() - ms(550) + TIMEOUT.toNanos()));
    }

    @Test
    void theNextAttemptStartsAtOnceWhenEveryOneStartedSoFarHasFailed() {
        RaceSchedule s = schedule(0, 5000);
        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(0));
        clock.advance(Duration.ofMillis(20)); // connection refused

        assertThat(s.next(clock.nanoTime(), 1, 0)).isEqualTo(new RaceSchedule.Start(1));
    }

    @Test
    void anAttemptWhoseTransportIsUpHoldsTheNextOnePastItsDelayUntilItsOutcome() {
        RaceSchedule s = schedule(0, 250);
        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(0));
        clock.advance(Duration.ofMillis(10)); // TCP connected; the Noise handshake runs

        assertThat(s.next(clock.nanoTime(), 0, 1)).as("no wake-up for the delay while it is up")
                .isEqualTo(new RaceSchedule.Wait(clock.nanoTime() - ms(10) + TIMEOUT.toNanos()));
        clock.advance(Duration.ofSeconds(2));
        assertThat(s.next(clock.nanoTime(), 0, 1)).isInstanceOf(RaceSchedule.Wait.class);
        // its handshake failed: the next attempt, long due, starts now
        assertThat(s.next(clock.nanoTime(), 1, 0)).isEqualTo(new RaceSchedule.Start(1));
    }

    @Test
    void theRaceFailsOnceEveryAttemptFailedAndTimesOutAtItsDeadlineOtherwise() {
        RaceSchedule failing = schedule(0);
        assertThat(failing.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(0));
        assertThat(failing.next(clock.nanoTime(), 1, 0)).isEqualTo(new RaceSchedule.AllFailed());

        RaceSchedule hanging = schedule(0, 100);
        assertThat(hanging.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(0));
        clock.advance(Duration.ofMillis(100));
        assertThat(hanging.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(1));
        clock.advance(TIMEOUT.minusMillis(100).minusNanos(1));
        assertThat(hanging.next(clock.nanoTime(), 1, 0)).isInstanceOf(RaceSchedule.Wait.class);
        clock.advance(Duration.ofNanos(1));
        assertThat(hanging.next(clock.nanoTime(), 1, 0)).isEqualTo(new RaceSchedule.TimedOut());
    }

    @Test
    void aDelayBeyondTheDeadlineWakesTheRaceAtTheDeadline() {
        RaceSchedule s = schedule(0, 60_000);
        long start = clock.nanoTime();
        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Start(0));

        assertThat(s.next(clock.nanoTime(), 0, 0)).isEqualTo(new RaceSchedule.Wait(start + TIMEOUT.toNanos()));
    }

    private static long ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }
}
