package io.crust.udt.packet;

import static io.crust.udt.packet.MalformedPacketException.check;

import java.nio.ByteBuffer;

/**
 * A client's connection request. Sent first without a cookie; the server answers with a
 * {@link RetryPacket} and keeps no state; the client repeats the request with the cookie, and only
 * then does the server create a connection. The datagram is padded to at least {@link #MIN_BYTES},
 * so every server reply is smaller than the request that caused it (no amplification, in the spirit
 * of RFC 9000 sec. 8.1) and the path is known to carry 1,200-byte payloads. Byte order: big-endian.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  0xD0 INITIAL |    version    |     flags     | cookie length |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +            source connection id (64, random, non-zero)        +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              cookie (0 or 16 bytes, from a RETRY)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          zero padding up to at least 1,200 bytes in all       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * flags: bit 0 (0x01) = rendezvous (both sides connect at once); other bits zero.
 * </pre>
 * A datagram shorter than 1,200 bytes is dropped, as is one with a cookie length other than 0 or 16.
 * An unknown version is answered with a {@link VersionPacket}, so the version field is decoded first.
 */
public record InitialPacket(int version, boolean rendezvous, long sourceConnectionId, byte[] cookie) {
    public static final int MIN_BYTES = 1200;
    public static final int HEADER_BYTES = 12;
    public static final int COOKIE_BYTES = 16;
    public static final int FLAG_RENDEZVOUS = 0x01;

    /** Reads the version field only (offset 1), which is valid in any INITIAL-looking datagram. */
    public static int peekVersion(ByteBuffer datagram) throws MalformedPacketException {
        check(datagram.remaining() >= HEADER_BYTES, "initial: truncated");
        return datagram.get(datagram.position() + 1) & 0xFF;
    }

    /** Decodes and validates; does not move {@code datagram}'s position. */
    public static InitialPacket decode(ByteBuffer datagram) throws MalformedPacketException {
        int p = datagram.position();
        check(datagram.remaining() >= MIN_BYTES, "initial: shorter than 1200 bytes");
        check(datagram.get(p) == (byte) PacketType.firstByte(PacketType.INITIAL), "initial: wrong type");
        int version = datagram.get(p + 1) & 0xFF;
        int flags = datagram.get(p + 2) & 0xFF;
        int cookieLength = datagram.get(p + 3) & 0xFF;
        check((flags & ~FLAG_RENDEZVOUS) == 0, "initial: unknown flags");
        check(cookieLength == 0 || cookieLength == COOKIE_BYTES, "initial: bad cookie length");
        long source = datagram.getLong(p + 4);
        check(source != 0, "initial: zero connection id");
        byte[] cookie = new byte[cookieLength];
        datagram.get(p + HEADER_BYTES, cookie);
        return new InitialPacket(version, (flags & FLAG_RENDEZVOUS) != 0, source, cookie);
    }

    /** Writes the padded packet at {@code out}'s position and advances it. */
    public void encodeTo(ByteBuffer out) {
        int start = out.position();
        out.put((byte) PacketType.firstByte(PacketType.INITIAL));
        out.put((byte) version);
        out.put((byte) (rendezvous ? FLAG_RENDEZVOUS : 0));
        out.put((byte) cookie.length);
        out.putLong(sourceConnectionId);
        out.put(cookie);
        while (out.position() - start < MIN_BYTES) {
            out.put((byte) 0);
        }
    }
}
