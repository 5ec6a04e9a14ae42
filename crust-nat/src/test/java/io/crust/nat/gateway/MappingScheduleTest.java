package io.crust.nat.gateway;

import static io.crust.nat.gateway.MappingSchedule.Action.CHECK;
import static io.crust.nat.gateway.MappingSchedule.Action.NOTHING;
import static io.crust.nat.gateway.MappingSchedule.Action.RENEW;
import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link MappingSchedule} on a manual clock: every step happens exactly when the test moves time. */
class MappingScheduleTest {
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration HALF_HOUR = Duration.ofMinutes(30);

    private final ManualClock clock = new ManualClock();

    private long now() {
        return clock.nanoTime();
    }

    private long advance(Duration step) {
        return clock.advance(step);
    }

    @Test
    void checksComeEveryIntervalUntilTheRenewalIsDue() {
        MappingSchedule s = new MappingSchedule(INTERVAL, Duration.ofSeconds(25), now());
        assertThat(s.due(now())).isEqualTo(NOTHING);
        assertThat(s.waitNanos(now())).isEqualTo(INTERVAL.toNanos());
        advance(Duration.ofMillis(9_999));
        assertThat(s.due(now())).isEqualTo(NOTHING);
        advance(Duration.ofMillis(1));
        assertThat(s.due(now())).isEqualTo(CHECK);
        s.checked(true, now());
        advance(INTERVAL);
        assertThat(s.due(now())).isEqualTo(CHECK);
        s.checked(true, now());
        // 20 s gone: the renewal at 25 s comes before the check at 30 s
        assertThat(s.waitNanos(now())).isEqualTo(Duration.ofSeconds(5).toNanos());
        advance(Duration.ofSeconds(5));
        assertThat(s.due(now())).isEqualTo(RENEW);
    }

    @Test
    void aCheckThatFindsTheMappingGoneMakesTheRenewalDueAtOnce() {
        MappingSchedule s = new MappingSchedule(INTERVAL, HALF_HOUR, now());
        advance(INTERVAL);
        assertThat(s.due(now())).isEqualTo(CHECK);
        s.checked(false, now());
        assertThat(s.due(now())).isEqualTo(RENEW);
        assertThat(s.waitNanos(now())).isZero();
        s.granted(HALF_HOUR, now());
        assertThat(s.due(now())).isEqualTo(NOTHING);
        assertThat(s.waitNanos(now())).isEqualTo(INTERVAL.toNanos());
    }

    @Test
    void aCheckWithoutAnAnswerIsTriedAgainAnIntervalLaterAndDoesNotRenew() {
        MappingSchedule s = new MappingSchedule(INTERVAL, HALF_HOUR, now());
        advance(INTERVAL);
        s.checkFailed(now());
        assertThat(s.due(now())).isEqualTo(NOTHING);
        advance(INTERVAL);
        assertThat(s.due(now())).isEqualTo(CHECK);
    }

    @Test
    void anAnnouncementMakesTheRenewalDueNowButAtMostOnceASecond() {
        MappingSchedule s = new MappingSchedule(INTERVAL, HALF_HOUR, now());
        advance(Duration.ofSeconds(3));
        s.announced(now());
        assertThat(s.due(now())).isEqualTo(RENEW);
        s.granted(HALF_HOUR, now());
        // a second announcement (the PCP one after the NAT-PMP one, or a forged one) 200 ms later
        advance(Duration.ofMillis(200));
        s.announced(now());
        assertThat(s.due(now())).isEqualTo(NOTHING);
        assertThat(s.waitNanos(now())).isEqualTo(Duration.ofMillis(800).toNanos());
        advance(Duration.ofMillis(800));
        assertThat(s.due(now())).isEqualTo(RENEW);
        s.granted(HALF_HOUR, now());
        // a flood: one renewal per second at most
        for (int i = 0; i < 10; i++) {
            s.announced(now());
        }
        assertThat(s.due(now())).isEqualTo(NOTHING);
        assertThat(s.waitNanos(now())).isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void anAnnouncementWorksWithPeriodicChecksTurnedOff() {
        MappingSchedule s = new MappingSchedule(Duration.ZERO, HALF_HOUR, now());
        assertThat(s.waitNanos(now())).isEqualTo(HALF_HOUR.toNanos());
        advance(Duration.ofMinutes(5));
        s.announced(now());
        assertThat(s.due(now())).isEqualTo(RENEW);
        s.granted(HALF_HOUR, now());
        assertThat(s.waitNanos(now())).isEqualTo(HALF_HOUR.toNanos());
    }

    @Test
    void anAnnouncementCutsTheBackOffOfFailingRenewalsShort() {
        MappingSchedule s = new MappingSchedule(INTERVAL, Duration.ofSeconds(5), now());
        advance(Duration.ofSeconds(5));
        for (int i = 0; i < 7; i++) {
            s.renewalFailed(now());
        }
        assertThat(s.waitNanos(now())).isEqualTo(Duration.ofSeconds(60).toNanos());
        advance(Duration.ofSeconds(2));
        s.announced(now()); // the gateway is back
        assertThat(s.due(now())).isEqualTo(RENEW);
    }

    @Test
    void failedRenewalsBackOffFromOneToSixtySecondsAndCheckNothingMeanwhile() {
        MappingSchedule s = new MappingSchedule(INTERVAL, Duration.ofSeconds(5), now());
        advance(Duration.ofSeconds(5));
        assertThat(s.due(now())).isEqualTo(RENEW);
        long[] expectedSeconds = {1, 2, 4, 8, 16, 32, 60, 60};
        for (long seconds : expectedSeconds) {
            s.renewalFailed(now());
            assertThat(s.waitNanos(now())).isEqualTo(Duration.ofSeconds(seconds).toNanos());
            assertThat(s.due(now())).isEqualTo(NOTHING);
            advance(Duration.ofSeconds(seconds));
            assertThat(s.due(now())).isEqualTo(RENEW);
        }
        s.granted(Duration.ofSeconds(5), now());
        s.renewalFailed(now());
        assertThat(s.waitNanos(now())).as("a success resets the back-off").isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void aPermanentLeaseIsCheckedButNeverRenewed() {
        MappingSchedule s = new MappingSchedule(INTERVAL, Duration.ZERO, now());
        advance(INTERVAL);
        assertThat(s.due(now())).isEqualTo(CHECK);
        s.checked(true, now());
        advance(Duration.ofDays(400).minus(INTERVAL.multipliedBy(2)));
        assertThat(s.due(now())).isEqualTo(CHECK);
        s.checked(false, now());
        assertThat(s.due(now())).as("a permanent mapping found gone is mapped again").isEqualTo(RENEW);
    }

    @Test
    void withChecksOffAndAPermanentLeaseNothingIsEverDue() {
        MappingSchedule s = new MappingSchedule(Duration.ZERO, Duration.ZERO, now());
        assertThat(s.waitNanos(now())).isEqualTo(Long.MAX_VALUE);
        advance(Duration.ofDays(1000));
        assertThat(s.due(now())).isEqualTo(NOTHING);
    }

    @Test
    void deadlinesHoldAcrossTheWrapOfTheNanosecondClock() {
        ManualClock nearWrap = new ManualClock(Long.MAX_VALUE - Duration.ofSeconds(5).toNanos());
        MappingSchedule s = new MappingSchedule(INTERVAL, HALF_HOUR, nearWrap.nanoTime());
        nearWrap.advanceNanos(Duration.ofSeconds(9).toNanos()); // wraps past Long.MAX_VALUE... in two's complement
        assertThat(s.due(nearWrap.nanoTime())).isEqualTo(NOTHING);
        nearWrap.advanceNanos(Duration.ofSeconds(1).toNanos());
        assertThat(s.due(nearWrap.nanoTime())).isEqualTo(CHECK);
    }
}
