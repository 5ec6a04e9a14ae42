package io.crust.udt.connection;

import io.crust.udt.packet.Frames;
import java.nio.ByteBuffer;

/**
 * The sending side of ACK_FREQUENCY (after draft-ietf-quic-ack-frequency): how often this side wants
 * its data acknowledged, and when to tell the peer. The receiver alone cannot choose well: it knows
 * neither our congestion window nor the RTT. Too many ACKs cost both ends a system call and a pass
 * through the state machine per ACK (at 1 Gbit/s, RFC 9000's default of one ACK per two packets is
 * 40,000 ACKs a second); too few slow the window's growth and delay loss detection.
 *
 * <p>What we ask for: an ACK after {@code max(2, min(cwnd / 4, 16))} packets, so that a window always
 * holds four ACKs or more, or {@value #DELAY_NANOS} ns after the first unacknowledged packet. The delay
 * only matters for the last packets of a burst; at a rate the threshold sends the ACKs. A shorter one
 * (it was {@code min(srtt / 4, 1 ms)}, at least 100 µs) made the receiving connection's thread wake
 * for a timer about 3,000 times a second in a 1 GiB veth transfer; at 1 ms it woke 60 % less and the
 * receiver spent 11 % less CPU, with the same goodput (three alternating pairs, crust-bench/analysis.md).
 * The request goes out when it changes (the threshold, or the delay by more than a quarter), at most
 * once per RTT, and again if the packet that carried it was lost. Pure logic, no I/O.
 */
final class AckFrequencyRequest {
    static final int MAX_THRESHOLD = 16;
    static final long DELAY_NANOS = 1_000_000;

    private int advertisedThreshold = AckTracker.DEFAULT_THRESHOLD;
    private long advertisedDelayNanos;
    /** The delay the peer may be using now: the larger of the last acknowledged and any in flight. */
    private long peerDelayNanos;
    private long acknowledgedDelayNanos;
    private long sequence;
    private long lastSentNanos;
    private boolean sentAny;
    private long carrierPacket = -1;
    private boolean carrierLost;
    private int wantedThreshold;
    private long wantedDelayNanos;

    AckFrequencyRequest(long defaultDelayNanos) {
        this.advertisedDelayNanos = defaultDelayNanos;
        this.peerDelayNanos = defaultDelayNanos;
        this.acknowledgedDelayNanos = defaultDelayNanos;
    }

    /** Whether a request should ride on the next ack-eliciting packet. */
    boolean due(long nowNanos, long windowBytes, int payloadBytes, long smoothedRttNanos) {
        wantedThreshold = (int) Math.max(AckTracker.DEFAULT_THRESHOLD,
                Math.min(windowBytes / Math.max(payloadBytes, 1) / 4, MAX_THRESHOLD));
        wantedDelayNanos = DELAY_NANOS;
        boolean changed = wantedThreshold != advertisedThreshold
                || 4 * Math.abs(wantedDelayNanos - advertisedDelayNanos) > advertisedDelayNanos;
        boolean onceThisRtt = !sentAny || nowNanos - lastSentNanos >= smoothedRttNanos;
        return carrierLost || (changed && onceThisRtt);
    }

    /** Writes the frame (after {@link #due} said so) into the packet numbered {@code packetNumber}. */
    void encode(ByteBuffer out, long packetNumber, long nowNanos) {
        advertisedThreshold = wantedThreshold;
        advertisedDelayNanos = wantedDelayNanos;
        Frames.encodeAckFrequency(out, ++sequence, advertisedThreshold, advertisedDelayNanos / 1000);
        carrierPacket = packetNumber;
        carrierLost = false;
        sentAny = true;
        lastSentNanos = nowNanos;
        // The peer may apply a longer delay as soon as the frame arrives; a shorter one only counts
        // once we know it arrived.
        peerDelayNanos = Math.max(acknowledgedDelayNanos, advertisedDelayNanos);
    }

    void onAcked(long packetNumber) {
        if (packetNumber == carrierPacket) {
            acknowledgedDelayNanos = advertisedDelayNanos;
            peerDelayNanos = advertisedDelayNanos;
            carrierPacket = -1;
        }
    }

    void onLost(long packetNumber) {
        if (packetNumber == carrierPacket) {
            carrierLost = true;
            carrierPacket = -1;
        }
    }

    /** The longest the peer may hold back an ACK: what the probe timeout must allow for (RFC 9002 sec. 6.2.1). */
    long peerMaxAckDelayNanos() {
        return peerDelayNanos;
    }
}
