package io.crust.udt.packet;

import static io.crust.udt.packet.MalformedPacketException.check;

import java.nio.ByteBuffer;

/**
 * Frame types carried after a {@link DataHeader}; each starts with one type byte. Big-endian.
 *
 * <pre>
 * PADDING (0x00): the rest of the datagram is padding (used to size MTU probes).
 *
 * PING (0x01): no body; elicits an acknowledgement (keepalive, probe timeout, MTU probe).
 *
 * ACK (0x02), see {@link AckFrame}.
 *
 * STREAM (0x03): bytes of the ordered stream.
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  0x03 STREAM  |  flags (FIN=1)|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                     stream offset (64, below 2^62)            |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |        length (16)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     data (length bytes) ...                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * FIN marks offset + length as the end of the stream (graceful close).
 *
 * CLOSE (0x04): the connection ends now.
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  0x04 CLOSE   |          reason (16)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * reason: 0 = graceful (all data was acknowledged), 1 = aborted by the application,
 *         2 = protocol violation, 3 = idle timeout.
 *
 * ACK_FREQUENCY (0x05): how often the sender wants to be acknowledged (after
 * draft-ietf-quic-ack-frequency sec. 4: the sender knows its window and RTT, the receiver does not).
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | 0x05 ACK_FREQ |               sequence number (32)            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               | threshold (16)                |               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               +
 * |            max ack delay, microseconds (32)   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * threshold: ack-eliciting packets the receiver may take in before it must acknowledge, 1 to
 * {@value #MAX_ACK_THRESHOLD}; max ack delay: at most {@value #MAX_ACK_DELAY_MICROS} us. A frame
 * whose sequence number is not above the last one applied is ignored (it was reordered).
 *
 * PATH_CHALLENGE (0x06) and PATH_RESPONSE (0x07), see {@link PathFrames}.
 * </pre>
 * An unknown frame type makes the whole packet malformed (it cannot be skipped safely).
 */
public final class Frames {
    public static final int PADDING = 0x00;
    public static final int PING = 0x01;
    public static final int ACK = 0x02;
    public static final int STREAM = 0x03;
    public static final int CLOSE = 0x04;
    public static final int ACK_FREQUENCY = 0x05;

    public static final int STREAM_HEADER_BYTES = 12;
    public static final int STREAM_FLAG_FIN = 0x01;
    public static final int CLOSE_BYTES = 3;
    public static final long MAX_STREAM_OFFSET = (1L << 62) - 1;
    public static final int ACK_FREQUENCY_BYTES = 11;
    public static final int MAX_ACK_THRESHOLD = 256;
    public static final int MAX_ACK_DELAY_MICROS = 1_000_000;

    public static final int CLOSE_GRACEFUL = 0;
    public static final int CLOSE_ABORTED = 1;
    public static final int CLOSE_PROTOCOL_VIOLATION = 2;
    public static final int CLOSE_IDLE_TIMEOUT = 3;

    private Frames() {
    }

    /** A decoded STREAM frame; its data lies at {@code dataPosition} in the datagram buffer. */
    public record Stream(long offset, int length, boolean fin, int dataPosition) {
    }

    public static void encodeStreamHeader(ByteBuffer out, long offset, int length, boolean fin) {
        out.put((byte) STREAM);
        out.put((byte) (fin ? STREAM_FLAG_FIN : 0));
        out.putLong(offset);
        out.putShort((short) length);
    }

    /** Decodes a STREAM frame whose type byte has been consumed; leaves position after its data. */
    public static Stream decodeStream(ByteBuffer in) throws MalformedPacketException {
        check(in.remaining() >= STREAM_HEADER_BYTES - 1, "stream: truncated header");
        int flags = in.get() & 0xFF;
        check((flags & ~STREAM_FLAG_FIN) == 0, "stream: unknown flags");
        long offset = in.getLong();
        int length = in.getShort() & 0xFFFF;
        check(offset >= 0 && offset + length <= MAX_STREAM_OFFSET, "stream: offset out of range");
        check(in.remaining() >= length, "stream: truncated data");
        int dataPosition = in.position();
        in.position(dataPosition + length);
        return new Stream(offset, length, (flags & STREAM_FLAG_FIN) != 0, dataPosition);
    }

    public static void encodeClose(ByteBuffer out, int reason) {
        out.put((byte) CLOSE);
        out.putShort((short) reason);
    }

    /** Decodes a CLOSE frame whose type byte has been consumed; returns the reason. */
    public static int decodeClose(ByteBuffer in) throws MalformedPacketException {
        check(in.remaining() >= CLOSE_BYTES - 1, "close: truncated");
        return in.getShort() & 0xFFFF;
    }

    /** A decoded ACK_FREQUENCY frame. */
    public record AckFrequency(long sequence, int threshold, long maxAckDelayMicros) {
    }

    public static void encodeAckFrequency(ByteBuffer out, long sequence, int threshold, long maxAckDelayMicros) {
        out.put((byte) ACK_FREQUENCY);
        out.putInt((int) sequence);
        out.putShort((short) threshold);
        out.putInt((int) maxAckDelayMicros);
    }

    /** Decodes an ACK_FREQUENCY frame whose type byte has been consumed. */
    public static AckFrequency decodeAckFrequency(ByteBuffer in) throws MalformedPacketException {
        check(in.remaining() >= ACK_FREQUENCY_BYTES - 1, "ack frequency: truncated");
        long sequence = in.getInt() & 0xFFFF_FFFFL;
        int threshold = in.getShort() & 0xFFFF;
        long delayMicros = in.getInt() & 0xFFFF_FFFFL;
        check(threshold >= 1 && threshold <= MAX_ACK_THRESHOLD, "ack frequency: threshold out of range");
        check(delayMicros <= MAX_ACK_DELAY_MICROS, "ack frequency: delay out of range");
        return new AckFrequency(sequence, threshold, delayMicros);
    }

    /** A readable name for a CLOSE reason. */
    public static String reasonName(int reason) {
        return switch (reason) {
            case CLOSE_GRACEFUL -> "graceful";
            case CLOSE_ABORTED -> "aborted";
            case CLOSE_PROTOCOL_VIOLATION -> "protocol violation";
            case CLOSE_IDLE_TIMEOUT -> "idle timeout";
            default -> "reason " + reason;
        };
    }
}
