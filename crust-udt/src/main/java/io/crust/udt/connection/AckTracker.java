package io.crust.udt.connection;

import io.crust.udt.packet.AckFrame;
import io.crust.udt.window.RangeSet;
import java.nio.ByteBuffer;

/**
 * The receiving side of packet numbers: which arrived (for ACK ranges and to drop replays) and when an
 * ACK is due. Delayed-ACK policy in the manner of RFC 9000 sec. 13.2: acknowledge at once when a packet
 * arrives out of order (the sender needs to learn about a gap quickly), otherwise after every
 * {@value #ACK_EVERY_PACKETS} ack-eliciting packets or {@code maxAckDelay} after the first unacknowledged
 * one, whichever comes first. Packets that arrive together are acknowledged together, because the
 * connection asks {@link #ackDue} only after it has taken in everything queued.
 */
final class AckTracker {
    static final int ACK_EVERY_PACKETS = 2;
    private static final int MAX_TRACKED_RANGES = 256;

    private final RangeSet received = new RangeSet(MAX_TRACKED_RANGES);
    private final long maxAckDelayNanos;
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

    /** Records a packet that passed validation and was not a duplicate. */
    void onPacket(long pn, boolean ackEliciting, long nowNanos) {
        received.add(pn);
        if (pn > largestReceived) {
            if (largestReceived >= 0 && pn != largestReceived + 1) {
                immediate = true; // a gap opened
            }
            largestReceived = pn;
            largestReceivedAtNanos = nowNanos;
        } else {
            immediate = true; // fills a gap: tell the sender before it retransmits needlessly
        }
        newSinceAck = true;
        if (ackEliciting) {
            if (ackElicitingSinceAck == 0) {
                ackDeadlineNanos = nowNanos + maxAckDelayNanos;
            }
            ackElicitingSinceAck++;
        }
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
        return immediate || ackElicitingSinceAck >= ACK_EVERY_PACKETS
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
