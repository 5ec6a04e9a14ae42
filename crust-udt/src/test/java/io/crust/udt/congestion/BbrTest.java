package io.crust.udt.congestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * BBR's state machine fed one rate sample per round trip by hand: a 50 Mbit/s (6.25 MB/s) path with a
 * 50 ms round trip. The simulated-path tests are in {@code connection.BbrBottleneckTest}.
 */
class BbrTest {
    private static final double RATE = 6_250_000;
    private static final long RTT = 50_000_000L;
    private static final int DATAGRAM = 1_200;

    private final Bbr bbr = new Bbr(DATAGRAM, 7);
    private final RateSample sample = new RateSample();
    private long delivered;
    private long nowNanos = 1_000_000_000L;

    /** One round trip in which the path delivered at {@code rate} and {@code lostFraction} of what was sent was lost. */
    private void round(double rate, long rttNanos, double lostFraction) {
        long bytes = (long) (rate * RTT / 1e9);
        long prior = delivered;
        delivered += bytes;
        nowNanos += rttNanos;
        long lost = (long) (bytes * lostFraction / (1 - lostFraction));
        sample.set(bytes, RTT, prior, delivered, bytes, lost, rttNanos, bytes, bytes, false);
        bbr.onRateSample(nowNanos, sample);
    }

    private void fillPipe() {
        for (int i = 0; i < 4; i++) {
            round(RATE, RTT, 0);
        }
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.PROBE_BW);
    }

    @Test
    void startupEndsWhenTheBandwidthStopsGrowingByAQuarterForThreeRounds() {
        round(RATE / 4, RTT, 0);
        round(RATE / 2, RTT, 0);
        round(RATE, RTT, 0);
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.STARTUP);
        assertThat(bbr.pacingRateBytesPerSecond()).isGreaterThan((long) (2.7 * RATE));
        round(RATE, RTT, 0);
        round(RATE * 1.1, RTT, 0);
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.STARTUP);
        round(RATE, RTT, 0); // third round without 25 % growth; the flight is one BDP, so Drain is over too
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.PROBE_BW);
        assertThat(bbr.bandwidthBytesPerSecond()).isCloseTo(RATE * 1.1, within(1.0));
        assertThat(bbr.minRttNanos()).isEqualTo(RTT);
    }

    @Test
    void aStartupRoundThatLosesMoreThanAFifthEndsStartupAtOnce() {
        round(RATE / 4, RTT, 0);
        round(RATE / 2, RTT, 0.15);
        assertThat(bbr.mode()).isEqualTo(Bbr.Mode.STARTUP); // 15 %: could be random loss
        round(RATE, RTT + 5_000_000, 0.30);
        assertThat(bbr.mode()).isNotEqualTo(Bbr.Mode.STARTUP);
        assertThat(bbr.lossyRounds()).isEqualTo(1);
    }

    @Test
    void fivePercentRandomLossLeavesTheModelAndThePacingRateAlone() {
        fillPipe();
        for (int i = 0; i < 40; i++) {
            round(RATE * 0.95, RTT, 0.05); // what is lost is not delivered, but the queue stays empty
            // At worst the 0.75x phase after a probe, of the 95 % that is delivered.
            assertThat(bbr.pacingRateBytesPerSecond()).isGreaterThanOrEqualTo((long) (0.7 * RATE));
        }
        assertThat(bbr.lossyRounds()).isZero();
        assertThat(bbr.bandwidthBytesPerSecond()).isGreaterThanOrEqualTo(0.95 * RATE);
        assertThat(bbr.windowBytes()).isGreaterThan((long) (1.9 * RATE * RTT / 1e9));
    }

    @Test
    void aLossyRoundBehindAStandingQueueBringsThePacingRateDownToWhatWasDelivered() {
        fillPipe();
        round(RATE * 0.6, RTT + 10_000_000, 0.05);
        assertThat(bbr.lossyRounds()).isEqualTo(1);
        // max(delivered 0.6, 0.7 * estimate) = 0.7 of the estimate, at most 1.25x while probing.
        assertThat(bbr.pacingRateBytesPerSecond()).isLessThan((long) (0.9 * RATE));
        assertThat(bbr.bandwidthBytesPerSecond()).isEqualTo(RATE); // the model keeps the path's rate
    }

    @Test
    void whileProbingUpTheWindowLeavesRoomForTheProbesExtraQuarter() {
        fillPipe();
        long bdp = (long) (RATE * RTT / 1e9);
        long cruiseWindow = 0;
        int probingRounds = 0;
        for (int i = 0; i < 20; i++) {
            round(RATE, RTT, 0);
            double gain = bbr.pacingRateBytesPerSecond() / (RATE * Bbr.PACING_MARGIN);
            if (gain > 1.2) {
                probingRounds++;
                // a quarter of a BDP more than while cruising (one sample a round looks like ACK aggregation
                // here, which adds the same allowance to both)
                assertThat(bbr.windowBytes() - cruiseWindow).as("probing up").isBetween((long) (0.24 * bdp), (long) (0.26 * bdp));
            } else if (gain > 0.99) {
                cruiseWindow = bbr.windowBytes();
            }
        }
        assertThat(probingRounds).isPositive();
        assertThat(cruiseWindow).isPositive();
    }

    @Test
    void aLossyRoundThatOnlyMeetsTheQueueOfItsOwnProbeIsNotReadAsOverflowButTheSameInCruiseIs() {
        fillPipe();
        for (int i = 0; i < 20 && gain() < 1.2; i++) {
            round(RATE, RTT, 0);
        }
        assertThat(gain()).as("probing up").isGreaterThan(1.2);
        round(RATE, RTT + 3_000_000, 0.05); // the probe's round: 3 ms of its own queue, 5 % random loss
        round(RATE, RTT + 3_000_000, 0.05); // the drain round, its queue not gone yet
        round(RATE, RTT + 3_000_000, 0.05);
        assertThat(bbr.lossyRounds()).isZero();

        for (int i = 0; i < 3; i++) {
            round(RATE, RTT, 0);
        }
        assertThat(gain()).as("cruising").isCloseTo(1.0, within(0.01));
        round(RATE, RTT + 3_000_000, 0.05); // cruising, the same queue has not drained: it overflowed
        round(RATE, RTT + 3_000_000, 0.05);
        assertThat(bbr.lossyRounds()).isPositive();
    }

    /** The pacing rate over the bandwidth estimate, as set by the cycle phase. */
    private double gain() {
        return bbr.pacingRateBytesPerSecond() / (bbr.bandwidthBytesPerSecond() * Bbr.PACING_MARGIN);
    }

    @Test
    void persistentCongestionCollapsesTheWindowButKeepsTheModel() {
        fillPipe();
        bbr.onPersistentCongestion();
        assertThat(bbr.windowBytes()).isEqualTo(4L * DATAGRAM);
        assertThat(bbr.pacingRateBytesPerSecond()).isPositive();
    }
}
