package io.crust.udt.connection;

import io.crust.udt.packet.AckFrame;
import io.crust.udt.window.RangeSet;
import java.nio.ByteBuffer;

/**
 * The receiving side of packet numbers: which arrived (for ACK ranges and to drop replays) and when an
 * ACK is due. Delayed-ACK policy of RFC 9000 sec. 13.2, with the sender's say of draft-ietf-quic-ack-
 * frequency:
 * <ul>
 *   <li>Only ack-eliciting packets cause an ACK. RFC 9000 sec. 13.2.1: "An endpoint MUST NOT send a
 *       non-ack-eliciting packet in response to a non-ack-eliciting packet", so ACK-only packets are
 *       recorded (they appear in the ranges of the next ACK) but neither count nor make an ACK due.</li>
 *   <li>An ack-eliciting packet that arrives out of order (a gap before it, or filling one) is
 *       acknowledged at once: the sender needs to learn about a gap quickly (sec. 13.2.1).</li>
 *   <li>Otherwise after {@code threshold} ack-eliciting packets or {@code maxAckDelay} after the first
 *       unacknowledged one, whichever comes first. Both start at {@value #DEFAULT_THRESHOLD} packets
 *       and the connection's default delay, and the sender changes them with ACK_FREQUENCY frames: it
 *       knows its window and RTT, the receiver does not.</li>
 * </ul>
 */
final class AckTracker {
    /** RFC 9000 sec. 13.2.2: "A receiver SHOULD send an ACK frame after receiving at least two ack-eliciting packets." */
    static final int DEFAULT_THRESHOLD = 2;
    private static final int MAX_TRACKED_RANGES = 256;

    private final RangeSet received = new RangeSet(MAX_TRACKED_RANGES);
    private long maxAckDelayNanos;
    private int threshold = DEFAULT_THRESHOLD;
    private long frequencySequence = -1;
    private long largestReceived = -1;
    private long largestReceivedAtNanos;
    private int ackElicitingSinceAck;
    private long ackDeadlineNanos;
    private boolean immediate;
    private boolean newSinceAck;

    AckTracker(long maxAckDelayNanos) {
        this.maxAckDelayNanos = maxAckDelayNanos;
    }

    /** Whether {@code pn} was seen before (or is too old to tell, which is treated the same). */
    boolean isDuplicate(long pn) {
        return pn < received.forgottenBelow() || received.contains(pn);
    }

    /** The largest packet number received so far, or -1. */
    long largestReceived() {
        return largestReceived;
    }

    /** Records a packet that passed validation and was not a duplicate. */
    void onPacket(long pn, boolean ackEliciting, long nowNanos) {
        received.add(pn);
        boolean inOrder = largestReceived < 0 || pn == largestReceived + 1;
        if (pn > largestReceived) {
            largestReceived = pn;
            largestReceivedAtNanos = nowNanos;
        }
        if (!ackEliciting) {
            return; // recorded for the next ACK, but never the cause of one
        }
        if (!inOrder) {
            immediate = true; // a gap opened, or this fills one: tell the sender before it retransmits needlessly
        }
        newSinceAck = true;
        if (ackElicitingSinceAck == 0) {
            ackDeadlineNanos = nowNanos + maxAckDelayNanos;
        }
        ackElicitingSinceAck++;
    }

    /**
     * Applies the sender's ACK_FREQUENCY request; one older than the last applied (reordered) is ignored.
     * Fields are validated by the decoder.
     */
    void onAckFrequency(long sequence, int packets, long delayNanos) {
        if (sequence <= frequencySequence) {
            return;
        }
        frequencySequence = sequence;
        threshold = packets;
        maxAckDelayNanos = delayNanos;
    }

    int threshold() {
        return threshold;
    }

    long maxAckDelayNanos() {
        return maxAckDelayNanos;
    }

    /** Asks for an ACK at the next opportunity (a window update, or a probe that must be answered). */
    void requestImmediate() {
        immediate = true;
        newSinceAck = newSinceAck || largestReceived >= 0;
    }

    /** Whether there is anything to acknowledge (an ACK may ride along on a data packet). */
    boolean hasNewInformation() {
        return newSinceAck;
    }

    boolean ackDue(long nowNanos) {
        if (!newSinceAck) {
            return false;
        }
        return immediate || ackElicitingSinceAck >= threshold
                || (ackElicitingSinceAck > 0 && nowNanos >= ackDeadlineNanos);
    }

    /** When the delayed ACK falls due; 0 if none is pending. */
    long deadlineNanos() {
        return newSinceAck && ackElicitingSinceAck > 0 ? ackDeadlineNanos : 0;
    }

    int encodedBytes() {
        return received.isEmpty() ? 0 : AckFrame.encodedBytes(received, AckFrame.MAX_RANGES);
    }

    /** Writes an ACK frame and resets the delayed-ACK state. */
    void encode(ByteBuffer out, long nowNanos, long receiveLimit) {
        long delayMicros = Math.max(0, (nowNanos - largestReceivedAtNanos) / 1000);
        AckFrame.encode(out, received, AckFrame.MAX_RANGES, delayMicros, receiveLimit);
        ackElicitingSinceAck = 0;
        immediate = false;
        newSinceAck = false;
    }

    boolean anyReceived() {
        return !received.isEmpty();
    }
}
