package io.crust.udt.packet;

import static io.crust.udt.packet.MalformedPacketException.check;

import java.nio.ByteBuffer;

/**
 * The server's stateless answer to an {@link InitialPacket} without a valid cookie: the cookie is an
 * HMAC over the client's address, port and connection id and a coarse time bucket, so the server can
 * check it later without having remembered anything. 28 bytes: far smaller than the 1,200-byte
 * request. Big-endian.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  0xD1 RETRY   |    version    |   reserved 0  |  cookie len 16|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +   destination connection id (64, the client's source id)      +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          cookie (16 bytes)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record RetryPacket(int version, long destinationConnectionId, byte[] cookie) {
    public static final int BYTES = 12 + InitialPacket.COOKIE_BYTES;

    public static RetryPacket decode(ByteBuffer datagram) throws MalformedPacketException {
        int p = datagram.position();
        check(datagram.remaining() == BYTES, "retry: wrong length");
        check(datagram.get(p) == (byte) PacketType.firstByte(PacketType.RETRY), "retry: wrong type");
        check(datagram.get(p + 2) == 0, "retry: reserved byte set");
        check((datagram.get(p + 3) & 0xFF) == InitialPacket.COOKIE_BYTES, "retry: bad cookie length");
        byte[] cookie = new byte[InitialPacket.COOKIE_BYTES];
        datagram.get(p + 12, cookie);
        return new RetryPacket(datagram.get(p + 1) & 0xFF, datagram.getLong(p + 4), cookie);
    }

    public void encodeTo(ByteBuffer out) {
        out.put((byte) PacketType.firstByte(PacketType.RETRY));
        out.put((byte) version);
        out.put((byte) 0);
        out.put((byte) cookie.length);
        out.putLong(destinationConnectionId);
        out.put(cookie);
    }
}
