package io.crust.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

class ManualClockTest {

    @Test
    void clockStandsStillUntilAdvanced() {
        ManualClock clock = new ManualClock(500);
        assertThat(clock.nanoTime()).isEqualTo(500);
        assertThat(clock.nanoTime()).isEqualTo(500);
    }

    @Test
    void advanceMovesTheClockByExactlyTheStep() {
        ManualClock clock = new ManualClock(0);
        assertThat(clock.advance(Duration.ofMillis(3))).isEqualTo(3_000_000);
        assertThat(clock.advanceNanos(7)).isEqualTo(3_000_007);
        assertThat(clock.nanoTime()).isEqualTo(3_000_007);
    }

    @Test
    void clockServesAsLongSupplierForProtocolCode() {
        ManualClock clock = new ManualClock(-42);
        LongSupplier nanoClock = clock;
        clock.advanceNanos(2);
        assertThat(nanoClock.getAsLong()).isEqualTo(-40);
    }

    @Test
    void advanceToNeverMovesTheClockBack() {
        ManualClock clock = new ManualClock(100);
        assertThat(clock.advanceTo(50)).isEqualTo(100);
        assertThat(clock.advanceTo(150)).isEqualTo(150);
    }

    @Test
    void negativeStepIsRejected() {
        ManualClock clock = new ManualClock();
        assertThatThrownBy(() -> clock.advanceNanos(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
