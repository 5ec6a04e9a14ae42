package io.crust.nat.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The address value shared by MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, RESPONSE-ORIGIN, OTHER-ADDRESS
 * and their RFC 3489 forms (RFC 8489 sections 14.1 and 14.2):
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0 0 0 0 0 0 0|    Family     |         (X-)Port              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 (X-)Address (32 bits or 128 bits)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Family 0x01 is IPv4 (value 8 bytes), 0x02 is IPv6 (value 20 bytes). In the XOR form the port
 * is XORed with the top 16 bits of the magic cookie and the address with the cookie (IPv4) or
 * with the cookie followed by the 96-bit transaction ID (IPv6); that is, with the 16 bytes that
 * follow the length field in the header.
 */
public final class StunAddress {
    private static final int FAMILY_IPV4 = 0x01;
    private static final int FAMILY_IPV6 = 0x02;

    private StunAddress() {
    }

    /** The plain form. */
    public static byte[] encode(InetSocketAddress address) {
        return encode(address, null);
    }

    /** The XOR form; {@code cookieAndId} is the 16 header bytes after the length field. */
    public static byte[] encodeXor(InetSocketAddress address, byte[] cookieAndId) {
        return encode(address, cookieAndId);
    }

    /** Reads the plain form, validating family and length. */
    public static InetSocketAddress decode(byte[] value) throws StunFormatException {
        return decode(value, null);
    }

    /** Reads the XOR form, validating family and length. */
    public static InetSocketAddress decodeXor(byte[] value, byte[] cookieAndId) throws StunFormatException {
        return decode(value, cookieAndId);
    }

    private static byte[] encode(InetSocketAddress address, byte[] mask) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        byte[] ip = address.getAddress().getAddress();
        byte[] out = new byte[4 + ip.length];
        out[1] = (byte) (ip.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6);
        int port = address.getPort();
        if (mask != null) {
            port ^= ((mask[0] & 0xFF) << 8) | (mask[1] & 0xFF);
        }
        out[2] = (byte) (port >>> 8);
        out[3] = (byte) port;
        for (int i = 0; i < ip.length; i++) {
            out[4 + i] = (byte) (mask == null ? ip[i] : ip[i] ^ mask[i]);
        }
        return out;
    }

    private static InetSocketAddress decode(byte[] value, byte[] mask) throws StunFormatException {
        if (value.length < 4) {
            throw new StunFormatException("address attribute too short: " + value.length + " bytes");
        }
        int family = value[1] & 0xFF;
        int ipLength = switch (family) {
            case FAMILY_IPV4 -> 4;
            case FAMILY_IPV6 -> 16;
            default -> throw new StunFormatException("address attribute has unknown family 0x"
                    + Integer.toHexString(family));
        };
        if (value.length != 4 + ipLength) {
            throw new StunFormatException("address attribute of family " + family + " must be "
                    + (4 + ipLength) + " bytes, was " + value.length);
        }
        int port = ((value[2] & 0xFF) << 8) | (value[3] & 0xFF);
        if (mask != null) {
            port ^= ((mask[0] & 0xFF) << 8) | (mask[1] & 0xFF);
        }
        byte[] ip = new byte[ipLength];
        for (int i = 0; i < ipLength; i++) {
            ip[i] = (byte) (mask == null ? value[4 + i] : value[4 + i] ^ mask[i]);
        }
        try {
            InetAddress address = InetAddress.getByAddress(ip);
            return new InetSocketAddress(address, port);
        } catch (UnknownHostException e) {
            throw new StunFormatException("address attribute holds no valid address");
        }
    }
}
