package io.crust.udt.congestion;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The windowed filters BBR keeps its model in. */
class FiltersTest {
    private static final long S = 1_000_000_000L;

    @Test
    void windowedMaxForgetsAMaximumOnceItsRoundLeavesTheWindow() {
        WindowedMaxFilter filter = new WindowedMaxFilter(10);
        assertThat(filter.get()).isZero();
        filter.update(100, 1);
        filter.update(40, 2);
        filter.update(60, 2); // the largest of a round counts
        assertThat(filter.get()).isEqualTo(100);
        filter.update(50, 10);
        assertThat(filter.get()).isEqualTo(100); // rounds 1..10: still in the window
        filter.update(50, 11);
        assertThat(filter.get()).isEqualTo(60); // round 1 left it
        filter.update(10, 30);
        assertThat(filter.get()).isEqualTo(10); // a long gap forgets everything older
    }

    @Test
    void windowedMaxTakesAnyNewMaximumAtOnce() {
        WindowedMaxFilter filter = new WindowedMaxFilter(10);
        filter.update(10, 5);
        filter.update(90, 6);
        assertThat(filter.get()).isEqualTo(90);
        filter.reset();
        assertThat(filter.get()).isZero();
    }

    @Test
    void minRttKeepsTheSmallestSampleForTenSecondsThenTakesTheNextOne() {
        MinRttFilter filter = new MinRttFilter(10 * S);
        assertThat(filter.isExpired(0)).isTrue();
        filter.update(50_000_000, 1 * S);
        filter.update(70_000_000, 2 * S);
        filter.update(0, 3 * S); // no sample
        assertThat(filter.get()).isEqualTo(50_000_000);
        assertThat(filter.isExpired(11 * S)).isFalse();
        assertThat(filter.isExpired(11 * S + 1)).isTrue();
        filter.update(80_000_000, 12 * S); // a longer path: the old minimum has expired
        assertThat(filter.get()).isEqualTo(80_000_000);
        filter.restartWindow(21 * S);
        assertThat(filter.isExpired(30 * S)).isFalse();
    }
}
