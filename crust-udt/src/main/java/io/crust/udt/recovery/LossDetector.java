package io.crust.udt.recovery;

import io.crust.udt.congestion.CongestionController;
import io.crust.udt.packet.AckFrame;

/**
 * Loss detection and probe timeout as in RFC 9002 sec. 6 (and its appendix A pseudocode), with no
 * I/O: the connection tells it what was sent and which ACKs arrived, with the time, and it reports
 * which packets were acknowledged or lost through a {@link Listener}.
 *
 * <ul>
 *   <li>A packet is lost when a packet sent at least {@value #PACKET_THRESHOLD} later was acknowledged
 *       (packet threshold), or when it was sent more than 9/8 RTT before an acknowledged one (time
 *       threshold, sec. 6.1.2).</li>
 *   <li>When nothing is acknowledged for a probe timeout (PTO, sec. 6.2), the caller sends one or two
 *       probes; each further PTO doubles the wait (exponential backoff).</li>
 *   <li>Every ACK that acknowledges something also yields a delivery-rate sample
 *       ({@link DeliveryRateSampler}) for controllers that model the path.</li>
 * </ul>
 */
public final class LossDetector {
    /**
     * kPacketThreshold. RFC 9002 sec. 6.1.1: "The RECOMMENDED initial value for the packet reordering
     * threshold (kPacketThreshold) is 3, based on best practices for TCP loss detection".
     */
    public static final int PACKET_THRESHOLD = 3;

    /** Told what became of each packet. Called during {@link #onAck} and {@link #onTimeout}. */
    public interface Listener {
        void onPacketAcked(long packetNumber, SentPacketLog log);

        void onPacketLost(long packetNumber, SentPacketLog log);
    }

    /** What {@link #onTimeout} found. */
    public enum Timeout { NONE, LOSS, PROBE }

    private final SentPacketLog log;
    private final DeliveryRateSampler rates;
    private final RttEstimator rtt;
    private CongestionController congestion;
    private long maxAckDelayNanos;
    private long largestAcked = -1;
    private long lossTimeNanos;
    private long lastAckElicitingSentNanos;
    private int ackElicitingInFlight;
    private long bytesInFlight;
    private int ptoCount;
    private long packetsLost;

    public LossDetector(long firstPacketNumber, RttEstimator rtt, CongestionController congestion, long maxAckDelayNanos) {
        this.log = new SentPacketLog(firstPacketNumber);
        this.rates = new DeliveryRateSampler(log);
        this.rtt = rtt;
        this.congestion = congestion;
        this.maxAckDelayNanos = maxAckDelayNanos;
        congestion.onPeerMaxAckDelay(maxAckDelayNanos);
    }

    public SentPacketLog log() {
        return log;
    }

    public long bytesInFlight() {
        return bytesInFlight;
    }

    /**
     * The longest the peer may delay an ACK (it changes when we send ACK_FREQUENCY): the probe timeout
     * allows for it, and so does the congestion controller.
     */
    public void setPeerMaxAckDelay(long nanos) {
        this.maxAckDelayNanos = nanos;
        congestion.onPeerMaxAckDelay(nanos);
    }

    /**
     * The connection moved to a new path and starts over with {@code fresh} (RFC 9000 sec. 9.4); the
     * RTT estimator was reset by its owner. Packets still in flight on the old path are acknowledged
     * or declared lost as usual; the probe backoff starts again.
     */
    public void onPathChanged(CongestionController fresh) {
        congestion = fresh;
        congestion.onPeerMaxAckDelay(maxAckDelayNanos);
        ptoCount = 0;
    }

    /**
     * Forgets the probe backoff: the probes that went unanswered were sent on a path that has since
     * been replaced, so they say nothing about the new one.
     */
    public void resetProbeBackoff() {
        ptoCount = 0;
    }

    public int ptoCount() {
        return ptoCount;
    }

    public long packetsLost() {
        return packetsLost;
    }

    public long largestAcked() {
        return largestAcked;
    }

    /** The sender has nothing to send while the window is open (see {@link DeliveryRateSampler#onApplicationLimited}). */
    public void onApplicationLimited() {
        rates.onApplicationLimited(bytesInFlight);
    }

    /** Records a sent packet and returns its packet number. */
    public long onPacketSent(long nowNanos, int sizeBytes, long streamOffset, int streamLength, int flags) {
        long pn = log.add(nowNanos, sizeBytes, streamOffset, streamLength, flags);
        if ((flags & SentPacketLog.IN_FLIGHT) != 0) {
            rates.onPacketSent(pn, nowNanos, bytesInFlight);
            bytesInFlight += sizeBytes;
            congestion.onPacketSent(nowNanos, sizeBytes);
        }
        if ((flags & SentPacketLog.ACK_ELICITING) != 0) {
            lastAckElicitingSentNanos = nowNanos;
            ackElicitingInFlight++;
        } else {
            log.resolve(pn); // nothing to wait for: an ACK-only packet is never retransmitted
        }
        return pn;
    }

    /**
     * Processes an ACK frame (RFC 9002 sec. 6.1, A.7). The caller has checked that
     * {@code ack.largestAcknowledged() < log().nextPacketNumber()}.
     */
    public void onAck(AckFrame ack, long nowNanos, Listener listener) {
        long largest = ack.largestAcknowledged();
        // RFC 9002 sec. 7.8: a window the sender does not fill says nothing about the path, so it
        // must not grow (else it balloons while flow control or the application limits the rate,
        // and pacing, which follows the window, stops spreading bursts).
        boolean windowUsed = 2 * bytesInFlight >= congestion.windowBytes();
        long priorInFlight = bytesInFlight;
        boolean newlyAckedAny = false;
        boolean ackElicitingNewlyAcked = false;
        boolean largestNewlyAcked = log.isOutstanding(largest);
        long largestSentNanos = largestNewlyAcked ? log.sentTimeNanos(largest) : 0;
        for (int r = 0; r < ack.rangeCount(); r++) {
            long lo = Math.max(ack.smallest(r), log.firstUnresolved());
            long hi = Math.min(ack.largest(r), log.nextPacketNumber() - 1);
            for (long pn = lo; pn <= hi; pn++) {
                if (!log.isOutstanding(pn)) {
                    continue;
                }
                newlyAckedAny = true;
                int flags = log.flags(pn);
                if ((flags & SentPacketLog.ACK_ELICITING) != 0) {
                    ackElicitingNewlyAcked = true;
                }
                removeFromFlight(pn, flags);
                if ((flags & SentPacketLog.IN_FLIGHT) != 0) {
                    rates.onPacketAcked(pn, nowNanos);
                }
                if ((flags & SentPacketLog.IN_FLIGHT) != 0 && windowUsed) {
                    congestion.onPacketAcked(nowNanos, log.sizeBytes(pn), log.sentTimeNanos(pn), rtt.smoothedRttNanos());
                }
                listener.onPacketAcked(pn, log);
                log.resolve(pn);
            }
        }
        if (!newlyAckedAny) {
            return;
        }
        largestAcked = Math.max(largestAcked, largest);
        if (largestNewlyAcked && ackElicitingNewlyAcked) {
            long ackDelayNanos = Math.min(ack.ackDelayMicros() * 1000, maxAckDelayNanos);
            rtt.onSample(nowNanos - largestSentNanos, ackDelayNanos);
        }
        detectLost(nowNanos, listener);
        // After loss detection, so that a controller sees this ACK's losses with its delivery rate.
        congestion.onRateSample(nowNanos, rates.sample(nowNanos, rtt.minRttNanos(), priorInFlight, bytesInFlight));
        ptoCount = 0;
    }

    private void removeFromFlight(long pn, int flags) {
        if ((flags & SentPacketLog.IN_FLIGHT) != 0) {
            bytesInFlight -= log.sizeBytes(pn);
        }
        if ((flags & SentPacketLog.ACK_ELICITING) != 0) {
            ackElicitingInFlight--;
        }
    }

    private void detectLost(long nowNanos, Listener listener) {
        lossTimeNanos = 0;
        if (largestAcked < 0) {
            return;
        }
        // RFC 9002 sec. 6.1.2: "Once a later packet within the same packet number space has been acknowledged, an
        // endpoint SHOULD declare an earlier packet lost if it was sent a threshold amount of time in the past."
        long lossDelay = rtt.lossDelayNanos();
        long lostSendTime = nowNanos - lossDelay;
        long newestLostSentNanos = Long.MIN_VALUE;
        long end = Math.min(largestAcked, log.nextPacketNumber() - 1);
        for (long pn = log.firstUnresolved(); pn < end; pn++) {
            if (!log.isOutstanding(pn)) {
                continue;
            }
            long sent = log.sentTimeNanos(pn);
            // RFC 9002 sec. 6.1: a packet is declared lost if it is unacknowledged, in flight, and
            // "was sent prior to an acknowledged packet", and "The packet was sent kPacketThreshold
            // packets before an acknowledged packet (Section 6.1.1), or it was sent long enough in the
            // past (Section 6.1.2)."
            if (sent <= lostSendTime || largestAcked - pn >= PACKET_THRESHOLD) {
                int flags = log.flags(pn);
                removeFromFlight(pn, flags);
                packetsLost++;
                if ((flags & SentPacketLog.MTU_PROBE) == 0) {
                    newestLostSentNanos = Math.max(newestLostSentNanos, sent);
                    if ((flags & SentPacketLog.IN_FLIGHT) != 0) {
                        rates.onPacketLost(log.sizeBytes(pn));
                    }
                }
                listener.onPacketLost(pn, log);
                log.resolve(pn);
            } else {
                // RFC 9002 sec. 6.1.2: "If packets sent prior to the largest acknowledged packet cannot yet be declared
                // lost, then a timer SHOULD be set for the remaining time."
                long when = sent + lossDelay;
                lossTimeNanos = lossTimeNanos == 0 ? when : Math.min(lossTimeNanos, when);
            }
        }
        if (newestLostSentNanos != Long.MIN_VALUE) {
            // RFC 8899 sec. 3: a lost MTU probe says nothing about congestion, so it is left out.
            congestion.onCongestionEvent(nowNanos, newestLostSentNanos);
        }
    }

    /** When {@link #onTimeout} should next run; 0 when no timer is armed. */
    public long timerNanos() {
        // RFC 9002 sec. 6.2.1: "The PTO timer MUST NOT be set if a timer is set for time threshold loss detection"
        if (lossTimeNanos != 0) {
            return lossTimeNanos;
        }
        if (ackElicitingInFlight == 0) {
            return 0;
        }
        // RFC 9002 sec. 6.2.1: "When a PTO timer expires, the PTO backoff MUST be increased, resulting
        // in the PTO period being set to twice its current value."
        return lastAckElicitingSentNanos + (rtt.ptoNanos(maxAckDelayNanos) << Math.min(ptoCount, 16));
    }

    /** Runs the loss or probe timer if due (RFC 9002 A.9). */
    public Timeout onTimeout(long nowNanos, Listener listener) {
        long timer = timerNanos();
        if (timer == 0 || nowNanos < timer) {
            return Timeout.NONE;
        }
        if (lossTimeNanos != 0) {
            detectLost(nowNanos, listener);
            return Timeout.LOSS;
        }
        ptoCount++;
        lastAckElicitingSentNanos = nowNanos; // the probes about to be sent restart the timer
        return Timeout.PROBE;
    }
}
