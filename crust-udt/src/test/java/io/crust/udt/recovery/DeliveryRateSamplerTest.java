package io.crust.udt.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.udt.congestion.RateSample;
import org.junit.jupiter.api.Test;

/** Delivery-rate samples (draft-cheng-iccrg-delivery-rate-estimation) on hand-made timelines. */
class DeliveryRateSamplerTest {
    private static final int SIZE = 1_000;
    private static final long MS = 1_000_000L;
    private static final long MIN_RTT = 50 * MS;

    private final SentPacketLog log = new SentPacketLog(100);
    private final DeliveryRateSampler sampler = new DeliveryRateSampler(log);
    private long inFlight;

    private long send(long nowNanos) {
        long pn = log.add(nowNanos, SIZE, 0, 0, SentPacketLog.ACK_ELICITING | SentPacketLog.IN_FLIGHT);
        sampler.onPacketSent(pn, nowNanos, inFlight);
        inFlight += SIZE;
        return pn;
    }

    private RateSample ack(long nowNanos, long... packets) {
        long prior = inFlight;
        for (long pn : packets) {
            sampler.onPacketAcked(pn, nowNanos);
            log.resolve(pn);
            inFlight -= SIZE;
        }
        return sampler.sample(nowNanos, MIN_RTT, prior, inFlight);
    }

    @Test
    void aBurstAcknowledgedOneRoundTripLaterIsDeliveredOverTheAckInterval() {
        long t0 = 1_000 * MS;
        long[] pns = new long[10];
        for (int i = 0; i < 10; i++) {
            pns[i] = send(t0);
        }
        RateSample rs = ack(t0 + 50 * MS, pns);
        // 10 packets in 50 ms: the send interval is 0, so the ACK interval decides.
        assertThat(rs.hasRate()).isTrue();
        assertThat(rs.deliveredBytes()).isEqualTo(10 * SIZE);
        assertThat(rs.intervalNanos()).isEqualTo(50 * MS);
        assertThat(rs.deliveryRateBytesPerSecond()).isEqualTo(200_000.0);
        assertThat(rs.rttNanos()).isEqualTo(50 * MS);
        assertThat(rs.newlyAckedBytes()).isEqualTo(10 * SIZE);
        assertThat(rs.totalDeliveredBytes()).isEqualTo(10 * SIZE);
        assertThat(rs.priorInFlightBytes()).isEqualTo(10 * SIZE);
        assertThat(rs.bytesInFlight()).isZero();
    }

    @Test
    void acksCompressedIntoABurstAreMeasuredOverTheLongerSendInterval() {
        long t0 = 1_000 * MS;
        long a = send(t0);
        RateSample first = ack(t0 + 50 * MS, a); // delivered state now: 1 packet at t0 + 50 ms
        assertThat(first.deliveredBytes()).isEqualTo(SIZE);
        // Four packets spread over 60 ms, their ACKs all arrive at once 50 ms after the last was sent.
        long[] pns = new long[4];
        for (int i = 0; i < 4; i++) {
            pns[i] = send(t0 + 50 * MS + i * 20 * MS);
        }
        RateSample rs = ack(t0 + 160 * MS, pns);
        // Send interval: first of this flight (t0, the newest acked when it was sent) to the last, 110 ms;
        // ACK interval: 160 - 50 = 110 ms as well; without the send interval, ACK compression would
        // make a burst look fast.
        assertThat(rs.intervalNanos()).isEqualTo(110 * MS);
        assertThat(rs.deliveredBytes()).isEqualTo(4 * SIZE);
    }

    @Test
    void anIntervalShorterThanTheMinimumRttGivesNoRate() {
        long t0 = 1_000 * MS;
        long a = send(t0);
        RateSample rs = ack(t0 + 10 * MS, a);
        assertThat(rs.hasRate()).isFalse();
        assertThat(rs.deliveryRateBytesPerSecond()).isZero();
        assertThat(rs.newlyAckedBytes()).isEqualTo(SIZE); // still counted for rounds and loss
    }

    @Test
    void packetsSentWhileTheApplicationHadNothingToSendAreMarkedUntilTheirFlightIsDelivered() {
        long t0 = 1_000 * MS;
        long a = send(t0);
        long b = send(t0);
        // Sec. 3.4: the bubble lasts until more than what is in flight now has been delivered.
        sampler.onApplicationLimited(inFlight);
        assertThat(sampler.isAppLimited()).isTrue();
        long c = send(t0 + MS);
        RateSample first = ack(t0 + 50 * MS, a, b);
        assertThat(first.appLimited()).isFalse(); // a and b were sent before the application ran dry
        assertThat(sampler.isAppLimited()).isTrue();
        RateSample second = ack(t0 + 51 * MS, c);
        assertThat(second.appLimited()).isTrue();
        assertThat(sampler.isAppLimited()).isFalse();
        long d = send(t0 + 52 * MS);
        assertThat(ack(t0 + 102 * MS, d).appLimited()).isFalse();
    }

    @Test
    void lossesAreReportedWithTheNextSampleOnce() {
        long t0 = 1_000 * MS;
        long a = send(t0);
        long b = send(t0);
        sampler.onPacketLost(SIZE);
        log.resolve(a);
        inFlight -= SIZE;
        RateSample rs = ack(t0 + 50 * MS, b);
        assertThat(rs.newlyLostBytes()).isEqualTo(SIZE);
        assertThat(sampler.lostBytes()).isEqualTo(SIZE);
        long c = send(t0 + 50 * MS);
        assertThat(ack(t0 + 100 * MS, c).newlyLostBytes()).isZero();
    }

    @Test
    void deliveryStateSurvivesTheLogGrowing() {
        long t0 = 1_000 * MS;
        long first = send(t0);
        for (int i = 0; i < 3_000; i++) {
            send(t0 + i * 1_000L);
        }
        assertThat(log.deliveredTimeAtSend(first)).isEqualTo(t0);
        assertThat(log.firstSentTimeAtSend(first)).isEqualTo(t0);
        assertThat(log.deliveredAtSend(first)).isZero();
    }
}
