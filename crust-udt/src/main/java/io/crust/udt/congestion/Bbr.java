package io.crust.udt.congestion;

import java.util.SplittableRandom;

/**
 * BBR ("Bottleneck Bandwidth and Round-trip propagation time"): a model-based controller. It does not
 * wait for loss to learn the path's capacity; it measures it. From every ACK's {@link RateSample} it
 * keeps two numbers: the bottleneck bandwidth (the largest delivery rate of the last
 * {@value #BW_WINDOW_ROUNDS} round trips) and the propagation delay (the smallest RTT of the last
 * 10 s). Their product, the bandwidth-delay product (BDP), is what fits in the pipe. BBR paces at
 * {@code pacingGain * bandwidth} and keeps at most {@code cwndGain * BDP} in flight. This follows BBR v1
 * (draft-cardwell-iccrg-bbr-congestion-control-00) with the loss response of BBR v2/v3
 * (draft-ietf-ccwg-bbr), simplified.
 *
 * <p>States: STARTUP doubles the rate every round until the bandwidth stops growing by 25 % for three
 * rounds; DRAIN empties the queue Startup built; PROBE_BW cruises at the measured rate, probing with
 * one round at 1.25x (and a window of 2.25 BDPs instead of 2, as in BBR v3, so that a window-limited
 * flow can probe too) and draining with one at 0.75x every eight rounds; PROBE_RTT briefly shrinks the
 * flight when the minimum RTT has not been seen for 10 s, so that a standing queue cannot hide it.
 *
 * <p>Loss. Random loss (a radio hop, a flaky link) removes packets without slowing the others, so
 * delivery-rate samples, and with them the model, stay the same: BBR ignores it, and at 5 % random
 * loss keeps its rate where CUBIC, reading every loss as congestion, collapses. A tail-drop queue
 * drops only when it is full, so its losses come with the full queue's delay on every packet of the
 * round, and in bulk. BBR reacts to that, once per round ({@link #onRoundEnd}):
 * <ul>
 *   <li>A Startup round losing more than {@value #STARTUP_LOSS_THRESHOLD} of its packets (at least
 *       {@value #STARTUP_MIN_LOST_PACKETS}) ends Startup, as in BBR v2. Twice the worst random loss we
 *       ride through: at 10 % random loss a round of 100 packets crosses it by chance with probability
 *       0.08 %, one of 250 packets almost never, while Startup overdriving a full queue at 2.77x loses
 *       half of what it sends. (At 10 %, a 10 % threshold ended Startup in the first rounds on the lab's
 *       50 ms TUN link: 15 Mbit/s where kernel TCP got 33.)</li>
 *   <li>A later round losing more than {@value #LOSS_THRESHOLD} (at least {@value #MIN_LOST_PACKETS}
 *       packets) while even its smallest RTT stood above the minimum (the queue never drained in that
 *       round: it overflowed) makes BBR pace no faster than what it actually delivered, and cuts the
 *       flight by {@value #BETA}, until its next probe. Random loss comes without a standing queue,
 *       so it does not trigger this at any rate; BBR v3 reacts to more than 2 % loss alone, which gives
 *       up the 2..5 % range we want. In the rounds of a probe and its drain the flow's own probe may
 *       still be queued, so there the queue must stand four times higher to count
 *       ({@link #OFF_CRUISE_QUEUE_DIVISOR}).</li>
 * </ul>
 */
public final class Bbr implements CongestionController {
    /** Where BBR is in its cycle. */
    public enum Mode { STARTUP, DRAIN, PROBE_BW, PROBE_RTT }

    static final int BW_WINDOW_ROUNDS = 10;
    static final long MIN_RTT_WINDOW_NANOS = 10_000_000_000L;
    static final long PROBE_RTT_DURATION_NANOS = 200_000_000L;
    /** 4 ln 2: the smallest gain that doubles the delivery rate every round (draft-ietf-ccwg-bbr). */
    static final double STARTUP_PACING_GAIN = 2.77;
    static final double CWND_GAIN = 2.0;
    /**
     * In a round in which the flow probed up or drained, the queue its RTTs saw may be the one its own
     * probe built and has not drained yet (1.6 to 3.5 ms at the end of the drain round on the simulated
     * 50 ms path at 5 % random loss): such a round counts as overflowing only if even its smallest RTT
     * stood {@code minRtt / 8} above the minimum, rather than {@code minRtt / 32}.
     */
    static final int OFF_CRUISE_QUEUE_DIVISOR = 8;
    static final int QUEUE_DIVISOR = 32;
    /**
     * The window's gain while ProbeBW probes up (BBR v3, draft-ietf-ccwg-bbr): a quarter of a BDP above
     * {@link #CWND_GAIN}, so that a flow whose window is full (a queue other flows keep makes the RTT larger
     * than the minimum it sizes the window by) can still put its probe's extra 25 % in flight.
     */
    static final double PROBE_UP_CWND_GAIN = 2.25;
    /** Drain sends at the inverse of Startup's gain, emptying in about one round what Startup queued. */
    static final double DRAIN_PACING_GAIN = 1 / STARTUP_PACING_GAIN;
    /** ProbeBW: probe up for a round, drain what the probe queued, cruise for six rounds. */
    static final double[] PROBE_BW_GAINS = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    /** BBR v2/v3: ProbeRTT keeps half a BDP in flight rather than 4 packets, losing less throughput. */
    static final double PROBE_RTT_CWND_GAIN = 0.5;
    static final double FULL_BW_GROWTH = 1.25;
    static final int FULL_BW_ROUNDS = 3;
    static final double STARTUP_LOSS_THRESHOLD = 0.20;
    static final int STARTUP_MIN_LOST_PACKETS = 8;
    static final double LOSS_THRESHOLD = 0.02;
    static final int MIN_LOST_PACKETS = 3;
    static final long MIN_QUEUE_DELAY_NANOS = 1_000_000;
    static final double BETA = 0.7;
    /** Pace a little below the estimate so that the bottleneck's queue drains between probes. */
    static final double PACING_MARGIN = 0.99;
    static final int INITIAL_WINDOW_PACKETS = 10;
    static final int MINIMUM_WINDOW_PACKETS = 4;

    private final SplittableRandom random;
    private final WindowedMaxFilter maxBandwidth = new WindowedMaxFilter(BW_WINDOW_ROUNDS); // bytes/s
    private final WindowedMaxFilter extraAcked = new WindowedMaxFilter(BW_WINDOW_ROUNDS);   // bytes
    private final MinRttFilter minRtt = new MinRttFilter(MIN_RTT_WINDOW_NANOS);
    private int datagramBytes;
    private Mode mode = Mode.STARTUP;
    private double pacingGain = STARTUP_PACING_GAIN;
    private long windowBytes;
    private double pacingBytesPerSecond;

    // Round counting: a round ends when a packet sent after the round began is acknowledged.
    private long roundCount;
    private long nextRoundDelivered;
    private boolean roundStart;

    private double roundMaxRate;
    private long roundMinRtt = Long.MAX_VALUE;
    private boolean heavyLossRound;
    private boolean overflowRound;
    /** The current round saw this flow probe up or drain (a pacing gain other than 1). */
    private boolean roundOffCruise;
    private double latestRoundRate; // the fastest delivery rate of the last round (BBR v2's bw_latest)
    private double bandwidthLo = Double.MAX_VALUE;
    private long inflightLoBytes = Long.MAX_VALUE;
    private boolean filledPipe;
    private double fullBandwidth;
    private int roundsWithoutGrowth;

    private int cycleIndex;
    private long cycleStartNanos;

    private long probeRttDoneNanos;
    private boolean probeRttRoundDone;
    private long windowBeforeProbeRtt;

    // Loss response: per-round accounting and the bounds it sets.
    private long roundAckedBytes;
    private long roundLostBytes;
    private long roundMaxInFlight;
    private long lastLossyInFlight; // the most in flight during the last lossy round
    private long inflightHiBytes = Long.MAX_VALUE;
    private long lossyRounds;

    // ACK aggregation: bytes acknowledged beyond what the bandwidth estimate explains.
    private long aggregationEpochStartNanos;
    private long aggregationEpochBytes;
    private long peerMaxAckDelayNanos;

    /** @param seed picks the phase ProbeBW starts in, so that flows sharing a bottleneck do not probe in step */
    public Bbr(int datagramBytes, long seed) {
        this.datagramBytes = datagramBytes;
        this.windowBytes = (long) INITIAL_WINDOW_PACKETS * datagramBytes;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public long windowBytes() {
        return windowBytes;
    }

    @Override
    public long pacingRateBytesPerSecond() {
        return (long) pacingBytesPerSecond;
    }

    @Override
    public void onPacketSent(long nowNanos, int bytes) {
    }

    @Override
    public void onPeerMaxAckDelay(long nanos) {
        peerMaxAckDelayNanos = nanos;
    }

    @Override
    public void onPacketAcked(long nowNanos, int bytes, long sentTimeNanos, long smoothedRttNanos) {
    }

    @Override
    public void onCongestionEvent(long nowNanos, long sentTimeNanos) {
        // Losses arrive with the rate sample, where their share of the round is known.
    }

    @Override
    public void onPersistentCongestion() {
        windowBytes = minimumWindow();
    }

    @Override
    public void onDatagramSizeChanged(int payloadBytes) {
        datagramBytes = payloadBytes;
    }

    @Override
    public boolean inSlowStart() {
        return mode == Mode.STARTUP;
    }

    public Mode mode() {
        return mode;
    }

    /** The bottleneck bandwidth estimate (windowed maximum delivery rate), in bytes per second. */
    public double bandwidthBytesPerSecond() {
        return maxBandwidth.get();
    }

    /** The propagation delay estimate; {@code Long.MAX_VALUE} before any sample. */
    public long minRttNanos() {
        return minRtt.get();
    }

    /** Rounds judged to have overflowed a queue (for tests and figures). */
    public long lossyRounds() {
        return lossyRounds;
    }

    @Override
    public void onRateSample(long nowNanos, RateSample rs) {
        updateRound(rs);
        updateRoundLoss(rs);
        updateBandwidth(rs);
        updateAckAggregation(nowNanos, rs);
        boolean probeRttDue = minRtt.isExpired(nowNanos);
        minRtt.update(rs.rttNanos(), nowNanos);
        if (roundStart) {
            onRoundEnd();
        }
        checkFullPipe(rs);
        checkDrain(nowNanos, rs);
        updateProbeBwCycle(nowNanos, rs);
        updateProbeRtt(nowNanos, rs, probeRttDue);
        setPacingRate();
        setWindow(rs);
    }

    private void updateRound(RateSample rs) {
        roundStart = false;
        if (rs.newlyAckedBytes() > 0 && rs.priorDeliveredBytes() >= nextRoundDelivered) {
            nextRoundDelivered = rs.totalDeliveredBytes();
            roundCount++;
            roundStart = true;
        }
    }

    /** Adds the sample to the round's counts; at the end of a round, judges its losses. */
    private void updateRoundLoss(RateSample rs) {
        roundAckedBytes += rs.newlyAckedBytes();
        roundLostBytes += rs.newlyLostBytes();
        roundMaxInFlight = Math.max(roundMaxInFlight, rs.priorInFlightBytes());
        if (rs.hasRate()) {
            roundMaxRate = Math.max(roundMaxRate, rs.deliveryRateBytesPerSecond());
        }
        if (rs.rttNanos() > 0) {
            roundMinRtt = Math.min(roundMinRtt, rs.rttNanos());
        }
        if (!roundStart) {
            roundOffCruise |= pacingGain != 1;
            return;
        }
        boolean offCruise = (roundOffCruise || pacingGain != 1) && filledPipe; // this sample ends the round
        roundOffCruise = false;
        long lost = roundLostBytes;
        long total = roundAckedBytes + roundLostBytes;
        long inFlight = roundMaxInFlight;
        roundAckedBytes = 0;
        roundLostBytes = 0;
        roundMaxInFlight = rs.bytesInFlight();
        latestRoundRate = roundMaxRate;
        roundMaxRate = 0;
        long queueDelay = roundMinRtt == Long.MAX_VALUE || minRtt.get() == Long.MAX_VALUE ? 0 : roundMinRtt - minRtt.get();
        roundMinRtt = Long.MAX_VALUE;
        heavyLossRound = lost >= (long) STARTUP_MIN_LOST_PACKETS * datagramBytes && lost > STARTUP_LOSS_THRESHOLD * total;
        overflowRound = lost >= (long) MIN_LOST_PACKETS * datagramBytes && lost > LOSS_THRESHOLD * total
                && queueDelay > Math.max(MIN_QUEUE_DELAY_NANOS, minRtt.get() / (offCruise ? OFF_CRUISE_QUEUE_DIVISOR : QUEUE_DIVISOR));
        if (heavyLossRound || overflowRound) {
            lossyRounds++;
            lastLossyInFlight = inFlight;
        }
    }

    private void updateBandwidth(RateSample rs) {
        if (!rs.hasRate()) {
            return;
        }
        double rate = rs.deliveryRateBytesPerSecond();
        // An app-limited sample understates the path unless it beats the estimate anyway.
        if (!rs.appLimited() || rate >= maxBandwidth.get()) {
            maxBandwidth.update(rate, roundCount);
        }
    }

    /**
     * ACKs can arrive in bursts (delayed ACKs, a receiver busy elsewhere): then more is acknowledged in
     * an interval than the bandwidth explains, and a window of exactly one BDP would stall the sender
     * until the next burst. The excess, maximised over the bandwidth window, is added to the window.
     */
    private void updateAckAggregation(long nowNanos, RateSample rs) {
        if (rs.newlyAckedBytes() == 0) {
            return;
        }
        double expected = maxBandwidth.get() * (nowNanos - aggregationEpochStartNanos) / 1e9;
        if (aggregationEpochBytes <= expected) {
            aggregationEpochStartNanos = nowNanos; // the ACK rate caught up: a new epoch starts
            aggregationEpochBytes = 0;
            expected = 0;
        }
        aggregationEpochBytes += rs.newlyAckedBytes();
        double extra = Math.min(aggregationEpochBytes - expected, windowBytes);
        extraAcked.update(extra, roundCount);
    }

    /**
     * Loss response, once per round.
     *
     * <p>A Startup round that lost more than {@value #STARTUP_LOSS_THRESHOLD} of its packets (at
     * least {@value #STARTUP_MIN_LOST_PACKETS}) overflowed the queue (BBR v2): Startup ends now rather
     * than three rounds later, and until the first probe the flight is capped at what was in flight
     * then, cut by {@value #BETA}, but not below the BDP plus the ACK-aggregation allowance, so that
     * Drain and the first rounds of ProbeBW do not refill the queue through the 2x BDP window.
     *
     * <p>Later, a round that lost more than {@value #LOSS_THRESHOLD} while every RTT in it stood above
     * the minimum by {@code max(1 ms, minRtt / 32)} (a queue that never drained: it overflowed) makes
     * BBR pace no faster than what that round actually delivered ({@code bwLo}, BBR v2's
     * {@code max(bw_latest, beta * bw_lo)}) and cuts the flight cap by {@value #BETA}
     * ({@code inflightLo}, not below half a BDP), until its next probe. Flows sharing a bottleneck each
     * keep the largest rate they measured while probing; together those add up to more than the link,
     * and the surplus becomes a standing queue that overflows. Every flow sees that queue's delay, so
     * every flow backs off, and the queue drains. A flow alone that overflowed the queue with its own
     * probe still delivered the link's full rate in that round, so its pacing rate does not change.
     */
    private void onRoundEnd() {
        if (heavyLossRound && !filledPipe) {
            filledPipe = true;
            long floor = bdpBytes(bandwidth(), 1.0) + (long) extraAcked.get() + 3L * datagramBytes;
            inflightHiBytes = Math.max(floor, (long) (BETA * lastLossyInFlight));
        } else if (overflowRound && filledPipe) {
            bandwidthLo = Math.max(latestRoundRate, BETA * Math.min(bandwidthLo, maxBandwidth.get()));
            long floor = Math.max(minimumWindow(), (long) (0.5 * maxBandwidth.get() * minRtt.get() / 1e9));
            inflightLoBytes = Math.max(floor, (long) (BETA * Math.min(inflightLoBytes, lastLossyInFlight)));
        }
    }

    private void checkFullPipe(RateSample rs) {
        if (filledPipe || !roundStart || rs.appLimited()) {
            return;
        }
        double bw = maxBandwidth.get();
        if (bw >= fullBandwidth * FULL_BW_GROWTH) {
            fullBandwidth = bw;
            roundsWithoutGrowth = 0;
            return;
        }
        if (++roundsWithoutGrowth >= FULL_BW_ROUNDS) {
            filledPipe = true;
        }
    }

    private void checkDrain(long nowNanos, RateSample rs) {
        if (mode == Mode.STARTUP && filledPipe) {
            mode = Mode.DRAIN;
            pacingGain = DRAIN_PACING_GAIN;
        }
        if (mode == Mode.DRAIN && rs.bytesInFlight() <= bdpBytes(bandwidth(), 1.0)) {
            enterProbeBw(nowNanos);
        }
    }

    private void enterProbeBw(long nowNanos) {
        mode = Mode.PROBE_BW;
        // Any phase but the 0.75x drain, which only makes sense after a probe.
        int phase = random.nextInt(PROBE_BW_GAINS.length - 1);
        enterCyclePhase(phase == 1 ? PROBE_BW_GAINS.length - 1 : phase, nowNanos);
    }

    private void enterCyclePhase(int phase, long nowNanos) {
        cycleIndex = phase;
        cycleStartNanos = nowNanos;
        pacingGain = PROBE_BW_GAINS[phase];
        if (pacingGain > 1) {
            inflightHiBytes = Long.MAX_VALUE; // the probe finds out what fits now
            bandwidthLo = Double.MAX_VALUE;
            inflightLoBytes = Long.MAX_VALUE;
        }
    }

    private void updateProbeBwCycle(long nowNanos, RateSample rs) {
        if (mode != Mode.PROBE_BW) {
            return;
        }
        double gain = PROBE_BW_GAINS[cycleIndex];
        long elapsed = nowNanos - cycleStartNanos;
        boolean fullLength = elapsed > minRtt.get();
        long inFlight = rs.priorInFlightBytes();
        boolean next;
        if (gain > 1) {
            // v1: probe for at least a round trip, until the extra 25 % is in flight; bounded in time
            // in case the window holds the flight back.
            next = fullLength && (inFlight >= bdpBytes(bandwidth(), gain) || elapsed > 3 * minRtt.get());
        } else if (gain < 1) {
            next = fullLength || inFlight <= bdpBytes(bandwidth(), 1.0);
        } else {
            next = fullLength;
        }
        if (next) {
            enterCyclePhase((cycleIndex + 1) % PROBE_BW_GAINS.length, nowNanos);
        }
    }

    private void updateProbeRtt(long nowNanos, RateSample rs, boolean probeRttDue) {
        if (probeRttDue && mode != Mode.PROBE_RTT && minRtt.get() != Long.MAX_VALUE && filledPipe) {
            mode = Mode.PROBE_RTT;
            pacingGain = 1;
            windowBeforeProbeRtt = windowBytes;
            probeRttDoneNanos = 0;
        }
        if (mode != Mode.PROBE_RTT) {
            return;
        }
        if (probeRttDoneNanos == 0 && rs.bytesInFlight() <= probeRttWindow()) {
            // The queue we caused is gone; hold the small flight for 200 ms and at least one round.
            probeRttDoneNanos = nowNanos + PROBE_RTT_DURATION_NANOS;
            probeRttRoundDone = false;
            nextRoundDelivered = rs.totalDeliveredBytes();
        } else if (probeRttDoneNanos != 0) {
            if (roundStart) {
                probeRttRoundDone = true;
            }
            if (probeRttRoundDone && nowNanos - probeRttDoneNanos >= 0) {
                minRtt.restartWindow(nowNanos);
                windowBytes = Math.max(windowBytes, windowBeforeProbeRtt);
                enterProbeBw(nowNanos);
            }
        }
    }

    private void setPacingRate() {
        double bw = bandwidth();
        if (bw <= 0) {
            return; // no sample yet: the pacer derives a rate from the initial window
        }
        double rate = pacingGain * bw * PACING_MARGIN;
        // In Startup the estimate only grows, and the pacing rate with it.
        if (filledPipe || rate > pacingBytesPerSecond) {
            pacingBytesPerSecond = rate;
        }
    }

    private void setWindow(RateSample rs) {
        double bw = bandwidth();
        double cwndGain = mode == Mode.PROBE_BW && PROBE_BW_GAINS[cycleIndex] > 1 ? PROBE_UP_CWND_GAIN : CWND_GAIN;
        long target = bdpBytes(bw, cwndGain) + (long) (bw * peerMaxAckDelayNanos / 1e9) + 3L * datagramBytes;
        if (filledPipe) {
            target += (long) extraAcked.get();
        }
        if (mode == Mode.PROBE_RTT) {
            target = probeRttWindow();
        }
        target = Math.max(target, minimumWindow());
        long acked = rs.newlyAckedBytes();
        if (filledPipe) {
            windowBytes = Math.min(windowBytes + acked, target);
        } else if (windowBytes < target || rs.totalDeliveredBytes() < (long) INITIAL_WINDOW_PACKETS * datagramBytes) {
            windowBytes += acked;
        }
        if (mode == Mode.PROBE_RTT) {
            windowBytes = Math.min(windowBytes, probeRttWindow());
        }
        // A probe may exceed the bound by its 25 %: that is how it learns whether the bound still holds.
        long bound = Math.min(inflightHiBytes, inflightLoBytes);
        if (mode == Mode.PROBE_BW && PROBE_BW_GAINS[cycleIndex] > 1) {
            bound = Math.max(bound, bdpBytes(bw, PROBE_BW_GAINS[cycleIndex]) + 3L * datagramBytes);
        }
        windowBytes = Math.max(Math.min(windowBytes, bound), minimumWindow());
    }

    /** The bandwidth the model uses: the windowed maximum, lowered after a lossy round until the next probe. */
    private double bandwidth() {
        return Math.min(maxBandwidth.get(), bandwidthLo);
    }

    private long bdpBytes(double bytesPerSecond, double gain) {
        long rtt = minRtt.get();
        if (rtt == Long.MAX_VALUE || bytesPerSecond <= 0) {
            return (long) INITIAL_WINDOW_PACKETS * datagramBytes;
        }
        return (long) (gain * bytesPerSecond * rtt / 1e9);
    }

    private long probeRttWindow() {
        return Math.max(bdpBytes(bandwidth(), PROBE_RTT_CWND_GAIN), minimumWindow());
    }

    private long minimumWindow() {
        return (long) MINIMUM_WINDOW_PACKETS * datagramBytes;
    }

    @Override
    public String toString() {
        return "Bbr[" + mode + ", bw " + (long) (maxBandwidth.get() * 8 / 1e6) + " Mbit/s, minRtt "
                + (minRtt.get() == Long.MAX_VALUE ? "-" : minRtt.get() / 1_000_000 + " ms") + ", cwnd " + windowBytes
                + ", pacing gain " + pacingGain + ", inflightHi " + (inflightHiBytes == Long.MAX_VALUE ? "-" : inflightHiBytes)
                + ", bwLo " + (bandwidthLo == Double.MAX_VALUE ? "-" : (long) (bandwidthLo * 8 / 1e6))
                + ", inflightLo " + (inflightLoBytes == Long.MAX_VALUE ? "-" : inflightLoBytes)
                + ", lossy rounds " + lossyRounds + "]";
    }
}
