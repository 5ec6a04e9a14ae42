package io.crust.udt.recovery;

/**
 * Round-trip time estimation as in RFC 9002 sec. 5 (which refines RFC 6298): the smoothed RTT and
 * its variation are updated from each RTT sample, after subtracting the delay the peer says it held
 * the acknowledgement back, but never below the smallest RTT seen.
 */
public final class RttEstimator {
    /** RFC 9002 sec. 6.2.2: 333 ms before any sample; we use a smaller 100 ms for a faster start. */
    public static final long INITIAL_RTT_NANOS = 100_000_000L;
    /** Timer granularity (RFC 9002 sec. 6.1.2 recommends 1 ms). */
    public static final long GRANULARITY_NANOS = 1_000_000L;

    private long latestRttNanos;
    private long smoothedRttNanos = INITIAL_RTT_NANOS;
    private long rttVarNanos = INITIAL_RTT_NANOS / 2;
    private long minRttNanos = Long.MAX_VALUE;
    private boolean hasSample;

    /**
     * Adds one sample (RFC 9002 sec. 5.3).
     *
     * @param sampleNanos time from sending the largest newly acknowledged packet until its ACK arrived
     * @param ackDelayNanos the delay reported by the peer, already capped at its maximum ACK delay
     */
    public void onSample(long sampleNanos, long ackDelayNanos) {
        sampleNanos = Math.max(sampleNanos, 1);
        latestRttNanos = sampleNanos;
        minRttNanos = Math.min(minRttNanos, sampleNanos);
        if (!hasSample) {
            hasSample = true;
            smoothedRttNanos = sampleNanos;
            rttVarNanos = sampleNanos / 2;
            return;
        }
        long adjusted = sampleNanos;
        if (sampleNanos >= minRttNanos + ackDelayNanos) {
            adjusted = sampleNanos - ackDelayNanos;
        }
        rttVarNanos = (3 * rttVarNanos + Math.abs(smoothedRttNanos - adjusted)) / 4;
        smoothedRttNanos = (7 * smoothedRttNanos + adjusted) / 8;
    }

    /** Back to the initial estimate, as before any sample: the connection moved to a new path. */
    public void reset() {
        latestRttNanos = 0;
        smoothedRttNanos = INITIAL_RTT_NANOS;
        rttVarNanos = INITIAL_RTT_NANOS / 2;
        minRttNanos = Long.MAX_VALUE;
        hasSample = false;
    }

    public boolean hasSample() {
        return hasSample;
    }

    public long latestRttNanos() {
        return latestRttNanos;
    }

    public long smoothedRttNanos() {
        return smoothedRttNanos;
    }

    public long rttVarNanos() {
        return rttVarNanos;
    }

    /** Smallest sample, or the initial RTT before any. */
    public long minRttNanos() {
        return hasSample ? minRttNanos : INITIAL_RTT_NANOS;
    }

    /**
     * Probe timeout before backoff. RFC 9002 sec. 6.2.1: "When an ack-eliciting packet is transmitted,
     * the sender schedules a timer for the PTO period as follows: PTO = smoothed_rtt + max(4*rttvar,
     * kGranularity) + max_ack_delay".
     */
    public long ptoNanos(long maxAckDelayNanos) {
        return smoothedRttNanos + Math.max(4 * rttVarNanos, GRANULARITY_NANOS) + maxAckDelayNanos;
    }

    /**
     * Time threshold for loss. RFC 9002 sec. 6.1.2: "The time threshold is: max(kTimeThreshold *
     * max(smoothed_rtt, latest_rtt), kGranularity)", with "The RECOMMENDED time threshold
     * (kTimeThreshold), expressed as an RTT multiplier, is 9/8."
     */
    public long lossDelayNanos() {
        return Math.max(9 * Math.max(smoothedRttNanos, latestRttNanos) / 8, GRANULARITY_NANOS);
    }
}
