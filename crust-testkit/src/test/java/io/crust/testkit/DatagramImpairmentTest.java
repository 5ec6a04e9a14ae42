package io.crust.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class DatagramImpairmentTest {

    private static final byte[] DATAGRAM = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void noImpairmentDeliversEveryDatagramOnceAtOnceUnchanged() {
        DatagramImpairment none = DatagramImpairment.none();
        for (int i = 0; i < 100; i++) {
            List<DatagramImpairment.Delivery> out = none.apply(DATAGRAM, 1_000);
            assertThat(out).singleElement().satisfies(d -> {
                assertThat(d.payload()).isEqualTo(DATAGRAM).isNotSameAs(DATAGRAM);
                assertThat(d.deliverAtNanos()).isEqualTo(1_000);
                assertThat(d.corrupted()).isFalse();
            });
        }
    }

    @Test
    void sameSeedGivesTheSameDecisions() {
        assertThat(trace(build(99))).isEqualTo(trace(build(99)));
        assertThat(trace(build(99))).isNotEqualTo(trace(build(100)));
    }

    @Test
    void lossRateIsCloseToTheConfiguredProbability() {
        DatagramImpairment lossy = DatagramImpairment.seeded(1).loss(0.2).build();
        for (int i = 0; i < 10_000; i++) {
            lossy.apply(DATAGRAM, 0);
        }
        assertThat(lossy.counts().offered()).isEqualTo(10_000);
        assertThat(lossy.counts().dropped()).isBetween(1_700L, 2_300L);
    }

    @Test
    void duplicationDeliversTwoIdenticalCopies() {
        DatagramImpairment dup = DatagramImpairment.seeded(2).duplication(1.0).build();
        List<DatagramImpairment.Delivery> out = dup.apply(DATAGRAM, 0);
        assertThat(out).hasSize(2).allSatisfy(d -> assertThat(d.payload()).isEqualTo(DATAGRAM));
        assertThat(out.get(0).payload()).isNotSameAs(out.get(1).payload());
    }

    @Test
    void delayAndJitterKeepLatencyWithinBounds() {
        DatagramImpairment slow = DatagramImpairment.seeded(3)
                .delay(Duration.ofMillis(10)).jitter(Duration.ofMillis(5)).build();
        for (int i = 0; i < 1_000; i++) {
            long at = slow.apply(DATAGRAM, 1_000_000).get(0).deliverAtNanos();
            assertThat(at - 1_000_000).isBetween(10_000_000L, 15_000_000L);
        }
    }

    @Test
    void reorderedDatagramIsHeldBackSoLaterOnesOvertakeIt() {
        DatagramImpairment reorder = DatagramImpairment.seeded(4)
                .reordering(1.0, Duration.ofMillis(30)).build();
        assertThat(reorder.apply(DATAGRAM, 0).get(0).deliverAtNanos()).isEqualTo(30_000_000);
        assertThat(reorder.counts().reordered()).isEqualTo(1);
    }

    @Test
    void corruptionFlipsExactlyOneBit() {
        DatagramImpairment corrupt = DatagramImpairment.seeded(5).corruption(1.0).build();
        for (int i = 0; i < 200; i++) {
            DatagramImpairment.Delivery d = corrupt.apply(DATAGRAM, 0).get(0);
            assertThat(d.corrupted()).isTrue();
            int flippedBits = 0;
            for (int j = 0; j < DATAGRAM.length; j++) {
                flippedBits += Integer.bitCount((DATAGRAM[j] ^ d.payload()[j]) & 0xff);
            }
            assertThat(flippedBits).isEqualTo(1);
        }
        assertThat(DATAGRAM).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void probabilityOutsideZeroToOneIsRejected() {
        assertThatThrownBy(() -> DatagramImpairment.seeded(0).loss(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DatagramImpairment.seeded(0).loss(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void descriptionNamesTheSeedForReplay() {
        assertThat(build(1234).toString()).contains("seed=1234");
    }

    private static DatagramImpairment build(long seed) {
        return DatagramImpairment.seeded(seed).loss(0.1).duplication(0.1)
                .reordering(0.1, Duration.ofMillis(20)).delay(Duration.ofMillis(5))
                .jitter(Duration.ofMillis(2)).corruption(0.05).build();
    }

    private static List<String> trace(DatagramImpairment impairment) {
        List<String> trace = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            for (DatagramImpairment.Delivery d : impairment.apply(DATAGRAM, i * 1_000L)) {
                trace.add(i + "@" + d.deliverAtNanos() + ":" + Arrays.toString(d.payload()));
            }
        }
        return trace;
    }
}
