package io.crust.udt.packet;

import static io.crust.udt.packet.MalformedPacketException.check;

import java.nio.ByteBuffer;

/**
 * The two frames of path validation, after RFC 9000 sec. 8.2 and 19.17-19.18: a connection that sees
 * its peer's packets arrive from a new address sends a PATH_CHALLENGE there; only a peer that receives
 * at that address can echo the data in a PATH_RESPONSE. Big-endian.
 *
 * <pre>
 * PATH_CHALLENGE (0x06)
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0x06 PATH_CHALL|                                               |
 * +-+-+-+-+-+-+-+-+                                               +
 * |                  data (64, random, never zero)                |
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |
 * +-+-+-+-+-+-+-+-+
 *
 * PATH_RESPONSE (0x07)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0x07 PATH_RESP|                                               |
 * +-+-+-+-+-+-+-+-+                                               +
 * |           data (64): a copy of the challenge's data           |
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |
 * +-+-+-+-+-+-+-+-+
 * </pre>
 * Unlike QUIC, data 0 is not allowed: a decoded frame reports 0 for "absent". Both frames are
 * <em>probing</em> frames (as PADDING): a packet that carries nothing else does not move the
 * connection (RFC 9000 sec. 9.1). Neither asks for an acknowledgement nor is retransmitted: a lost
 * challenge is replaced by a new one with new data, and a response is sent once per challenge
 * (RFC 9000 sec. 13.3: "Responses to path validations using PATH_RESPONSE frames are sent just once").
 */
public final class PathFrames {
    public static final int PATH_CHALLENGE = 0x06;
    public static final int PATH_RESPONSE = 0x07;
    /** Type byte and data. */
    public static final int BYTES = 9;

    private PathFrames() {
    }

    public static void encodeChallenge(ByteBuffer out, long data) {
        encode(out, PATH_CHALLENGE, data);
    }

    public static void encodeResponse(ByteBuffer out, long data) {
        encode(out, PATH_RESPONSE, data);
    }

    private static void encode(ByteBuffer out, int type, long data) {
        if (data == 0) {
            throw new IllegalArgumentException("path validation data must not be zero");
        }
        out.put((byte) type);
        out.putLong(data);
    }

    /** Decodes the data of a PATH_CHALLENGE or PATH_RESPONSE frame whose type byte has been consumed. */
    public static long decodeData(ByteBuffer in) throws MalformedPacketException {
        check(in.remaining() >= BYTES - 1, "path frame: truncated");
        long data = in.getLong();
        check(data != 0, "path frame: zero data");
        return data;
    }
}
