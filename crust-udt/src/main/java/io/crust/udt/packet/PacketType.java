package io.crust.udt.packet;

/**
 * The first byte of every crust-udt datagram: {@code 0xD0 | type}. RFC 7983 sec. 7 (and its update
 * RFC 9443) assign first bytes 0-3 to STUN, 16-19 to ZRTP, 20-63 to DTLS, 64-79 to TURN channels
 * (64-127 to QUIC in RFC 9443) and 128-191 to RTP/RTCP. The range 0xD0-0xDF (208-223) is outside all
 * of them, so crust-udt shares a port with STUN and hole punching probes without ambiguity.
 *
 * <pre>
 *  0 1 2 3 4 5 6 7
 * +-+-+-+-+-+-+-+-+
 * |1 1 0 1| type  |
 * +-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class PacketType {
    public static final int MARKER = 0xD0;
    public static final int MARKER_MASK = 0xF0;

    /** Client's connection request, padded to at least 1,200 bytes ({@link InitialPacket}). */
    public static final int INITIAL = 0;
    /** Server's stateless cookie challenge ({@link RetryPacket}). */
    public static final int RETRY = 1;
    /** Server's acceptance carrying its connection id ({@link AcceptPacket}). */
    public static final int ACCEPT = 2;
    /** Server's answer to an unknown version ({@link VersionPacket}). */
    public static final int VERSION = 3;
    /** Everything after the handshake: frames under a short header ({@link DataHeader}). */
    public static final int DATA = 4;

    /** The only protocol version so far. */
    public static final int PROTOCOL_VERSION = 1;

    private PacketType() {
    }

    /** Whether a datagram whose first byte is {@code firstByte} belongs to crust-udt. */
    public static boolean isCrustUdt(int firstByte) {
        return (firstByte & MARKER_MASK) == MARKER;
    }

    /** The type nibble of a crust-udt first byte. */
    public static int typeOf(int firstByte) {
        return firstByte & 0x0F;
    }

    static int firstByte(int type) {
        return MARKER | type;
    }
}
