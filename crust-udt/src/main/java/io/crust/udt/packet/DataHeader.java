package io.crust.udt.packet;

import static io.crust.udt.packet.MalformedPacketException.check;

import java.nio.ByteBuffer;

/**
 * The short header of every packet after the handshake, followed by frames until the end of the
 * datagram. Packet numbers start at a random value per direction and grow by one per packet sent;
 * a number is never used twice, so an acknowledgement always names exactly one transmission (no
 * retransmission ambiguity, RFC 9002 sec. 2: Karn's problem does not arise). Big-endian.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   0xD4 DATA   |                                               |
 * +-+-+-+-+-+-+-+-+                                               +
 * |            destination connection id (64)                     |
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |                                               |
 * +-+-+-+-+-+-+-+-+                                               +
 * |                 packet number (64, below 2^62)                |
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |  frames ...  (see {@link Frames})
 * +-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class DataHeader {
    public static final int BYTES = 17;
    public static final long MAX_PACKET_NUMBER = (1L << 62) - 1;

    private DataHeader() {
    }

    public static void encode(ByteBuffer out, long destinationConnectionId, long packetNumber) {
        out.put((byte) PacketType.firstByte(PacketType.DATA));
        out.putLong(destinationConnectionId);
        out.putLong(packetNumber);
    }

    /** The destination connection id of a datagram already known to be DATA and long enough. */
    public static long destinationConnectionId(ByteBuffer datagram) {
        return datagram.getLong(datagram.position() + 1);
    }

    /** Validates the header and returns the packet number; position is left at the first frame. */
    public static long decode(ByteBuffer datagram) throws MalformedPacketException {
        int p = datagram.position();
        check(datagram.remaining() > BYTES, "data: truncated or no frames");
        check(datagram.get(p) == (byte) PacketType.firstByte(PacketType.DATA), "data: wrong type");
        long packetNumber = datagram.getLong(p + 9);
        check(packetNumber >= 0 && packetNumber <= MAX_PACKET_NUMBER, "data: packet number out of range");
        datagram.position(p + BYTES);
        return packetNumber;
    }
}
