package io.crust.udt.packet;

import static io.crust.udt.packet.MalformedPacketException.check;

import java.nio.ByteBuffer;

/**
 * The server's answer to an {@link InitialPacket} whose version it does not speak: the versions it
 * does speak, so that a client can report a clear error (or, in a later version, retry). Big-endian.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  0xD3 VERSION |   reserved 0  |   reserved 0  | count (1..16) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +   destination connection id (64, the client's id)             +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | version 1     | version 2 ... (count bytes)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public record VersionPacket(long destinationConnectionId, byte[] supportedVersions) {
    public static final int MAX_VERSIONS = 16;

    public static VersionPacket decode(ByteBuffer datagram) throws MalformedPacketException {
        int p = datagram.position();
        check(datagram.remaining() >= 13, "version: truncated");
        check(datagram.get(p) == (byte) PacketType.firstByte(PacketType.VERSION), "version: wrong type");
        int count = datagram.get(p + 3) & 0xFF;
        check(count >= 1 && count <= MAX_VERSIONS, "version: bad count");
        check(datagram.remaining() == 12 + count, "version: wrong length");
        byte[] versions = new byte[count];
        datagram.get(p + 12, versions);
        return new VersionPacket(datagram.getLong(p + 4), versions);
    }

    public void encodeTo(ByteBuffer out) {
        out.put((byte) PacketType.firstByte(PacketType.VERSION));
        out.putShort((short) 0);
        out.put((byte) supportedVersions.length);
        out.putLong(destinationConnectionId);
        out.put(supportedVersions);
    }
}
