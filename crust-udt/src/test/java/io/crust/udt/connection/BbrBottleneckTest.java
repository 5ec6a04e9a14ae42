package io.crust.udt.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.DatagramImpairment;
import io.crust.udt.UdtConfig;
import io.crust.udt.congestion.Bbr;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * BBR against a simulated bottleneck ({@link BottleneckPath}): 50 Mbit/s, 50 ms round trip, on the
 * manual clock. Each test prints its figures (docs/udt.md quotes them).
 */
class BbrBottleneckTest {
    private static final long RATE_BITS = 50_000_000L;
    private static final Duration RTT = Duration.ofMillis(50);
    /** Half the path's BDP (50 Mbit/s * 50 ms = 312 KB = 208 packets of 1,500 bytes). */
    private static final int HALF_BDP_QUEUE = 104;
    private static final UdtConfig BBR = config(UdtConfig.CongestionControl.BBR);
    private static final UdtConfig CUBIC = config(UdtConfig.CongestionControl.CUBIC);

    private static UdtConfig config(UdtConfig.CongestionControl cc) {
        return UdtConfig.builder().congestionControl(cc).pmtuProbing(false).build();
    }

    /** Goodput (stream bytes delivered to the server application) of flow 0 from {@code warmup} to {@code end}. */
    private static double goodputMbps(BottleneckPath path, Duration warmup, Duration end) {
        path.run(warmup);
        long before = path.flow(0).receivedBytes;
        path.run(end.minus(warmup));
        return BottleneckPath.mbps(path.flow(0).receivedBytes - before, end.minus(warmup).toNanos());
    }

    @Test
    void bandwidthEstimateConvergesOnTheBottleneckRate() {
        BottleneckPath path = new BottleneckPath(RATE_BITS, RTT, HALF_BDP_QUEUE, 0, 1);
        BottleneckPath.Flow flow = path.addFlow(BBR);
        double goodput = goodputMbps(path, Duration.ofSeconds(2), Duration.ofSeconds(10));
        Bbr bbr = (Bbr) flow.client.congestionController();
        double estimateMbps = bbr.bandwidthBytesPerSecond() * 8 / 1e6;
        System.out.printf("bbr estimate: bottleneck 50 Mbit/s, 50 ms: estimate %.1f Mbit/s, min RTT %d ms,"
                        + " goodput %.1f Mbit/s (2..10 s), %s%n", estimateMbps, bbr.minRttNanos() / 1_000_000,
                goodput, bbr);
        assertThat(estimateMbps).isBetween(45.0, 55.0);
        assertThat(bbr.minRttNanos()).isBetween(50_000_000L, 56_000_000L);
        assertThat(goodput).isGreaterThan(40.0);
        // The statistics report the rate BBR paces at: its estimate times a ProbeBW gain (0.75 to 1.25).
        double pacingMbps = flow.client.stats().pacingRateBytesPerSecond() * 8 / 1e6;
        assertThat(pacingMbps).isBetween(0.7 * estimateMbps, 1.3 * estimateMbps);
    }

    @Test
    void goodputHoldsAtFivePercentRandomLossWhereCubicCollapses() {
        double clean = goodputMbps(withFlow(new BottleneckPath(RATE_BITS, RTT, HALF_BDP_QUEUE, 0, 2), BBR),
                Duration.ofSeconds(2), Duration.ofSeconds(10));
        BottleneckPath lossy = withFlow(new BottleneckPath(RATE_BITS, RTT, HALF_BDP_QUEUE, 0.05, 2), BBR);
        double bbr = goodputMbps(lossy, Duration.ofSeconds(2), Duration.ofSeconds(10));
        double bbrOnePercent = goodputMbps(withFlow(new BottleneckPath(RATE_BITS, RTT, HALF_BDP_QUEUE, 0.01, 2), BBR),
                Duration.ofSeconds(2), Duration.ofSeconds(10));
        double cubic = goodputMbps(withFlow(new BottleneckPath(RATE_BITS, RTT, HALF_BDP_QUEUE, 0.05, 2), CUBIC),
                Duration.ofSeconds(2), Duration.ofSeconds(10));
        double cubicOnePercent = goodputMbps(withFlow(new BottleneckPath(RATE_BITS, RTT, HALF_BDP_QUEUE, 0.01, 2), CUBIC),
                Duration.ofSeconds(2), Duration.ofSeconds(10));
        System.out.printf("bbr random loss: 50 Mbit/s, 50 ms, goodput 2..10 s: BBR no loss %.1f, 1 %% %.1f, 5 %% %.1f"
                        + " Mbit/s; CUBIC 1 %% %.1f, 5 %% %.1f Mbit/s; %s%n", clean, bbrOnePercent, bbr,
                cubicOnePercent, cubic, lossy.flow(0).client.congestionController());
        assertThat(bbr).isGreaterThanOrEqualTo(0.7 * clean);
        assertThat(bbrOnePercent).isGreaterThanOrEqualTo(0.85 * clean);
        assertThat(bbr).isGreaterThan(5 * cubic);
    }

    @Test
    void backsOffWhenASmallTailDropQueueOverflows() {
        int queuePackets = 20; // a tenth of the BDP
        BottleneckPath path = withFlow(new BottleneckPath(RATE_BITS, RTT, queuePackets, 0, 3), BBR);
        Bbr bbr = (Bbr) path.flow(0).client.congestionController();
        path.run(Duration.ofSeconds(1));
        Bbr.Mode afterOneSecond = bbr.mode();
        path.run(Duration.ofSeconds(1));
        long startupOverflows = path.overflowDrops;
        long startupOffered = path.packetsOffered;
        long overflowsBefore = path.overflowDrops;
        long packetsBefore = path.packetsOffered;
        long offeredBefore = path.offeredBytes;
        long fullBefore = path.queueNearlyFullNanos;
        double queueBefore = path.queueByteNanos;
        double maxOfferedMbps = 0;
        for (int second = 2; second < 12; second++) {
            long offered = path.offeredBytes;
            path.run(Duration.ofSeconds(1));
            maxOfferedMbps = Math.max(maxOfferedMbps, BottleneckPath.mbps(path.offeredBytes - offered, 1_000_000_000L));
        }
        long runNanos = 10_000_000_000L;
        double lossRate = (double) (path.overflowDrops - overflowsBefore) / (path.packetsOffered - packetsBefore);
        double nearlyFull = (double) (path.queueNearlyFullNanos - fullBefore) / runNanos;
        double meanQueue = (path.queueByteNanos - queueBefore) / runNanos / path.queueLimitBytes();
        double offeredMbps = BottleneckPath.mbps(path.offeredBytes - offeredBefore, runNanos);
        System.out.printf("bbr queue overflow: 50 Mbit/s, 50 ms, 20-packet queue: Startup over after 1 s (%s), lost %d of %d"
                        + " packets in the first 2 s; 2..12 s: overflow loss %.2f %%, queue %.0f %% full on average and over"
                        + " 80 %% full %.1f %% of the time, offered %.1f Mbit/s (busiest second %.1f); %s%n", afterOneSecond,
                startupOverflows, startupOffered, 100 * lossRate, 100 * meanQueue, 100 * nearlyFull, offeredMbps,
                maxOfferedMbps, bbr);
        assertThat(afterOneSecond).isEqualTo(Bbr.Mode.PROBE_BW);
        assertThat((double) startupOverflows / startupOffered).isLessThan(0.10);
        assertThat(lossRate).isLessThan(0.03);
        assertThat(meanQueue).isLessThan(0.5);
        assertThat(nearlyFull).isLessThan(0.15);
        assertThat(maxOfferedMbps).isLessThan(1.05 * RATE_BITS / 1e6);
    }

    @Test
    void twoFlowsThroughOneBottleneckConvergeToFairShares() {
        for (long seed = 1; seed <= 3; seed++) {
            double[] shares = twoFlows(HALF_BDP_QUEUE, seed);
            assertThat(Math.min(shares[0], shares[1])).isGreaterThanOrEqualTo(0.8 * Math.max(shares[0], shares[1]));
            assertThat(shares[0] + shares[1]).isGreaterThan(42.0);
        }
        // Not asserted, a known weakness: with a queue of a tenth of the BDP the flows stay unequal.
        twoFlows(20, 1);
    }

    /**
     * The benchmark's bottleneck (docs/performance.md section 2b): the TUN link emulator queues up to 100 ms, two
     * BDPs. Two flows that start together share it fairly over their first 20 s.
     */
    @Test
    void twoFlowsStartingTogetherThroughATwoBdpQueueShareItFairly() {
        for (long seed = 1; seed <= 3; seed++) {
            double[] shares = sharesOverTwentySeconds(seed, Duration.ZERO);
            assertThat(Math.min(shares[0], shares[1])).as("seed %d", seed).isGreaterThanOrEqualTo(0.8 * Math.max(shares[0], shares[1]));
        }
    }

    /**
     * A flow that joins 1 s after the other, which by then keeps the queue half full, ends Startup limited by its
     * window (twice its bandwidth times the minimum RTT, against an RTT twice that) at a fraction of its share; both
     * flows are then window-limited, and only probing moves the split. With a probe-up window of 2 BDPs a
     * window-limited flow could not probe, and the late flow got 0.50 to 0.56 of the other's rate here; with 2.25
     * it gets more, though not yet the 0.8 of a fair share.
     */
    @Test
    void aFlowJoiningOneSecondLateThroughATwoBdpQueueWinsBackMoreThanHalfItsShare() {
        for (long seed = 1; seed <= 3; seed++) {
            double[] shares = sharesOverTwentySeconds(seed, Duration.ofSeconds(1));
            assertThat(shares[1]).as("seed %d", seed).isGreaterThanOrEqualTo(0.6 * shares[0]);
        }
    }

    /** Goodput of two flows over the 20 s after the second starts, {@code lag} after the first; printed. */
    private static double[] sharesOverTwentySeconds(long seed, Duration lag) {
        int twoBdpQueue = 417; // 100 ms at 50 Mbit/s, in 1,500-byte packets
        BottleneckPath path = new BottleneckPath(RATE_BITS, RTT, twoBdpQueue, 0, seed);
        path.addFlow(BBR);
        path.run(lag);
        long firstAtStart = path.flow(0).receivedBytes;
        path.addFlow(BBR);
        path.run(Duration.ofSeconds(20));
        double a = BottleneckPath.mbps(path.flow(0).receivedBytes - firstAtStart, 20_000_000_000L);
        double b = BottleneckPath.mbps(path.flow(1).receivedBytes, 20_000_000_000L);
        System.out.printf("bbr two flows through a %d-packet queue (50 Mbit/s, 50 ms), seed %d, the second %d ms after the"
                + " first; the 20 s after it started: %.1f and %.1f Mbit/s (ratio %.2f)%n", twoBdpQueue, seed, lag.toMillis(),
                a, b, Math.min(a, b) / Math.max(a, b));
        return new double[] {a, b};
    }

    /**
     * Goodput of two flows from 15 to 45 s, the second started 1 s after the first; printed. BBR's shares
     * swing with its 8-round probing cycles, so the window spans a few hundred rounds.
     */
    private static double[] twoFlows(int queuePackets, long seed) {
        BottleneckPath path = new BottleneckPath(RATE_BITS, RTT, queuePackets, 0, seed);
        path.addFlow(BBR);
        path.run(Duration.ofSeconds(1));
        path.addFlow(BBR);
        path.run(Duration.ofSeconds(14));
        long first = path.flow(0).receivedBytes;
        long second = path.flow(1).receivedBytes;
        long packets = path.packetsOffered;
        long drops = path.overflowDrops;
        path.run(Duration.ofSeconds(30));
        double a = BottleneckPath.mbps(path.flow(0).receivedBytes - first, 30_000_000_000L);
        double b = BottleneckPath.mbps(path.flow(1).receivedBytes - second, 30_000_000_000L);
        System.out.printf("bbr fairness: two flows, 50 Mbit/s, 50 ms, %d-packet queue, seed %d, second starts 1 s later;"
                        + " 15..45 s: goodput %.1f and %.1f Mbit/s (sum %.1f), overflow loss %.2f %%%n", queuePackets, seed,
                a, b, a + b, 100.0 * (path.overflowDrops - drops) / (path.packetsOffered - packets));
        return new double[] {a, b};
    }

    @Test
    void aByteExactStreamGetsThroughLossDuplicationAndReorderingWithPathMtuProbing() throws Exception {
        long seed = DatagramImpairment.seedFromSystemProperty();
        DatagramImpairment forward = DatagramImpairment.seeded(seed).loss(0.10).duplication(0.02)
                .reordering(0.05, Duration.ofMillis(3)).delay(Duration.ofMillis(10)).jitter(Duration.ofMillis(2)).build();
        DatagramImpairment backward = DatagramImpairment.seeded(seed + 1).loss(0.10).duplication(0.02)
                .reordering(0.05, Duration.ofMillis(3)).delay(Duration.ofMillis(10)).build();
        ConnectionPair pair = new ConnectionPair(UdtConfig.builder().congestionControl(UdtConfig.CongestionControl.BBR)
                .build()).impair(forward, backward);
        pair.handshake();
        byte[] data = new byte[3 * 1024 * 1024];
        new Random(seed).nextBytes(data);
        byte[] received = pair.transfer(data, Duration.ofMinutes(5));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(received)).as("seed %d", seed).isEqualTo(sha.digest(data));
        assertThat(pair.client.stats().packetsLost()).isPositive();
    }

    private static BottleneckPath withFlow(BottleneckPath path, UdtConfig config) {
        path.addFlow(config);
        return path;
    }
}
