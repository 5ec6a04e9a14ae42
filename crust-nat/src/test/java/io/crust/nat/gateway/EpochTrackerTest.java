package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EpochTrackerTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void epochAdvancingWithTheClientClockIsNotAReboot() {
        EpochTracker t = new EpochTracker();
        assertThat(t.observe(1000, 0)).isFalse();
        assertThat(t.observe(1060, 60 * SECOND)).isFalse();
        assertThat(t.observe(4660, 3660 * SECOND)).isFalse();
    }

    @Test
    void epochGoingBackwardsMeansTheGatewayLostItsState() {
        EpochTracker t = new EpochTracker();
        t.observe(1000, 0);
        assertThat(t.observe(3, 2 * SECOND)).isTrue();
    }

    @Test
    void epochStandingStillWhileTheClientAgedMeansARestart() {
        EpochTracker t = new EpochTracker();
        t.observe(100, 0);
        // 600 s passed here, only 10 on the gateway: it restarted in between
        assertThat(t.observe(110, 600 * SECOND)).isTrue();
    }

    @Test
    void smallClockDriftIsTolerated() {
        EpochTracker t = new EpochTracker();
        t.observe(100, 0);
        assertThat(t.observe(1700, 1600 * SECOND + 50 * SECOND)).isFalse();
        assertThat(t.observe(1699, 1651 * SECOND)).isFalse();
    }

    @Test
    void epochGoingBackByOneSecondIsReorderingNotARestart() {
        EpochTracker t = new EpochTracker();
        t.observe(500, 0);
        assertThat(t.observe(499, SECOND / 2)).isFalse();
        assertThat(t.observe(497, SECOND)).isTrue();
    }

    @Test
    void epochRacingAheadOfTheClientClockMeansLostState() {
        EpochTracker t = new EpochTracker();
        t.observe(100, 0);
        // 10 s here, 100 s on the gateway: not a clock drift, a different epoch
        assertThat(t.observe(200, 10 * SECOND)).isTrue();
    }

    @Test
    void aGatewayThatRestartedSoonAfterStartingIsCaughtByTheRateRuleAlthoughItsEpochGrew() {
        EpochTracker t = new EpochTracker();
        t.observe(3, 0);
        // it restarted 2 s later; 10 s after our first answer its epoch reads 8, more than 3 but too little
        assertThat(t.observe(8, 10 * SECOND)).isTrue();
    }
}
