package io.crust.udt.packet;

import static io.crust.udt.packet.MalformedPacketException.check;

import java.nio.ByteBuffer;

/**
 * The server's acceptance of a cookie-bearing {@link InitialPacket}: it has created the connection and
 * tells the client its own connection id, which the client puts in every later packet. Sent again
 * whenever the same INITIAL arrives again (the first ACCEPT may be lost). 20 bytes. Big-endian.
 * Forging one requires the client's random 64-bit connection id, which an off-path attacker lacks.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  0xD2 ACCEPT  |    version    |   reserved 0  |   reserved 0  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +   destination connection id (64, the client's id)             +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +   source connection id (64, the server's id, random, non-zero)+
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record AcceptPacket(int version, long destinationConnectionId, long sourceConnectionId) {
    public static final int BYTES = 20;

    public static AcceptPacket decode(ByteBuffer datagram) throws MalformedPacketException {
        int p = datagram.position();
        check(datagram.remaining() == BYTES, "accept: wrong length");
        check(datagram.get(p) == (byte) PacketType.firstByte(PacketType.ACCEPT), "accept: wrong type");
        check(datagram.getShort(p + 2) == 0, "accept: reserved bytes set");
        long source = datagram.getLong(p + 12);
        check(source != 0, "accept: zero connection id");
        return new AcceptPacket(datagram.get(p + 1) & 0xFF, datagram.getLong(p + 4), source);
    }

    public void encodeTo(ByteBuffer out) {
        out.put((byte) PacketType.firstByte(PacketType.ACCEPT));
        out.put((byte) version);
        out.putShort((short) 0);
        out.putLong(destinationConnectionId);
        out.putLong(sourceConnectionId);
    }
}
