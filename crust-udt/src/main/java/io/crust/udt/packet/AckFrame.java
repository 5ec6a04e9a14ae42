package io.crust.udt.packet;

import static io.crust.udt.packet.MalformedPacketException.check;

import io.crust.udt.window.RangeSet;
import java.nio.ByteBuffer;

/**
 * Acknowledges received packet numbers as up to {@link #MAX_RANGES} ranges, newest first (the encoding
 * of RFC 9000 sec. 19.3 with fixed-width fields), and advertises the receive window. Big-endian.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   0x02 ACK    |                                               |
 * +-+-+-+-+-+-+-+-+                                               +
 * |                 largest acknowledged (64)                     |
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |        ACK delay (32, microseconds)           |
 * +-+-+-+-+-+-+-+-+               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |         receive limit (64): stream offset the sender may       |
 * +         send up to (flow control, RFC 9000 sec. 4 style)      +
 * |                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               | range count   |               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               +
 * |       first range (32): packets below largest also received   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  then (range count - 1) times: gap (32), range length (32)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The first range covers {@code [largest - first range, largest]}. Each following range starts
 * {@code gap + 2} below the previous range's smallest number and covers {@code length + 1} numbers.
 *
 * @param ranges pairs {@code [smallest, largest]} (inclusive), newest first
 */
public record AckFrame(long largestAcknowledged, long ackDelayMicros, long receiveLimit, long[] ranges) {
    public static final int MAX_RANGES = 32;
    public static final int FIXED_BYTES = 26;

    public int rangeCount() {
        return ranges.length / 2;
    }

    public long smallest(int i) {
        return ranges[2 * i];
    }

    public long largest(int i) {
        return ranges[2 * i + 1];
    }

    /** Bytes an ACK frame for {@code received} takes, at most {@code maxRanges} ranges. */
    public static int encodedBytes(RangeSet received, int maxRanges) {
        return FIXED_BYTES + 8 * (Math.min(received.rangeCount(), maxRanges) - 1);
    }

    /**
     * Encodes the newest {@code maxRanges} ranges of {@code received} (which holds half-open ranges
     * and must not be empty).
     */
    public static void encode(ByteBuffer out, RangeSet received, int maxRanges, long ackDelayMicros, long receiveLimit) {
        int n = Math.min(received.rangeCount(), Math.min(maxRanges, MAX_RANGES));
        int top = received.rangeCount() - 1;
        long largest = received.end(top) - 1;
        out.put((byte) Frames.ACK);
        out.putLong(largest);
        out.putInt((int) Math.min(ackDelayMicros, 0xFFFF_FFFFL));
        out.putLong(receiveLimit);
        out.put((byte) n);
        out.putInt((int) (largest - received.start(top)));
        long previousSmallest = received.start(top);
        for (int k = 1; k < n; k++) {
            int i = top - k;
            long hi = received.end(i) - 1;
            long lo = received.start(i);
            out.putInt((int) (previousSmallest - hi - 2));
            out.putInt((int) (hi - lo));
            previousSmallest = lo;
        }
    }

    /** Decodes an ACK frame whose type byte has been consumed; validates every range. */
    public static AckFrame decode(ByteBuffer in) throws MalformedPacketException {
        check(in.remaining() >= FIXED_BYTES - 1, "ack: truncated");
        long largest = in.getLong();
        long delay = in.getInt() & 0xFFFF_FFFFL;
        long limit = in.getLong();
        int count = in.get() & 0xFF;
        check(largest >= 0 && largest <= DataHeader.MAX_PACKET_NUMBER, "ack: largest out of range");
        check(limit >= 0 && limit <= Frames.MAX_STREAM_OFFSET, "ack: limit out of range");
        check(count >= 1 && count <= MAX_RANGES, "ack: bad range count");
        check(in.remaining() >= 4 + 8L * (count - 1), "ack: truncated ranges");
        long[] ranges = new long[2 * count];
        long first = in.getInt() & 0xFFFF_FFFFL;
        long smallest = largest - first;
        check(smallest >= 0, "ack: first range below zero");
        ranges[0] = smallest;
        ranges[1] = largest;
        for (int i = 1; i < count; i++) {
            long gap = in.getInt() & 0xFFFF_FFFFL;
            long length = in.getInt() & 0xFFFF_FFFFL;
            long hi = smallest - gap - 2;
            long lo = hi - length;
            check(lo >= 0, "ack: range below zero");
            ranges[2 * i] = lo;
            ranges[2 * i + 1] = hi;
            smallest = lo;
        }
        return new AckFrame(largest, delay, limit, ranges);
    }
}
