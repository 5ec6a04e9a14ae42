package io.crust.nat.pmp;

import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.MalformedReplyException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * NAT-PMP messages, RFC 6886. All fields are big-endian ("network byte order"). Pure codec: no I/O.
 *
 * <p>External address request (section 3.2), 2 bytes, and its response, 12 bytes:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Vers = 0     | OP = 0        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Vers = 0     | OP = 128 + 0  | Result Code (net byte order)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Seconds Since Start of Epoch (in network byte order)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | External IPv4 Address (a.b.c.d)                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Mapping request (section 3.3), 12 bytes, OP 1 = UDP, 2 = TCP; a lifetime of 0 deletes the mapping;
 * and its response, 16 bytes:
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Vers = 0      | OP = x        | Reserved                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Internal Port                 | Suggested External Port       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Requested Port Mapping Lifetime in Seconds                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Vers = 0      | OP = 128 + x  | Result Code                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Seconds Since Start of Epoch                                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Internal Port                 | Mapped External Port          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Port Mapping Lifetime in Seconds                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * A response with a non-zero result code may stop after the epoch (8 bytes; section 3.5 shows this for
 * Unsupported Version); only its first 8 bytes are read.
 */
public final class NatPmpMessages {
    public static final int VERSION = 0;
    public static final int OP_EXTERNAL_ADDRESS = 0;
    public static final int OP_MAP_UDP = 1;
    public static final int OP_MAP_TCP = 2;
    public static final int RESPONSE_BIT = 128;

    static final int HEADER_BYTES = 8;
    static final int EXTERNAL_ADDRESS_RESPONSE_BYTES = 12;
    static final int MAP_RESPONSE_BYTES = 16;

    private NatPmpMessages() {
    }

    /** Result codes, RFC 6886 section 3.5. */
    public static String resultName(int code) {
        return switch (code) {
            case 0 -> "Success";
            case 1 -> "Unsupported Version";
            case 2 -> "Not Authorized/Refused";
            case 3 -> "Network Failure";
            case 4 -> "Out of resources";
            case 5 -> "Unsupported opcode";
            default -> "result code " + code;
        };
    }

    /** The external address response. {@code address} is null when the result code is not 0. */
    public record ExternalAddressResponse(int resultCode, long epochSeconds, Inet4Address address) {
    }

    /** The mapping response. Port and lifetime fields are 0 when the result code is not 0. */
    public record MapResponse(int opcode, int resultCode, long epochSeconds, int internalPort, int externalPort,
            long lifetimeSeconds) {
    }

    public static byte[] externalAddressRequest() {
        return new byte[] {VERSION, OP_EXTERNAL_ADDRESS};
    }

    public static int mapOpcode(IpProtocol transport) {
        return transport == IpProtocol.UDP ? OP_MAP_UDP : OP_MAP_TCP;
    }

    public static byte[] mapRequest(IpProtocol transport, int internalPort, int suggestedExternalPort, long lifetimeSeconds) {
        if (lifetimeSeconds < 0 || lifetimeSeconds > 0xffffffffL) {
            throw new IllegalArgumentException("lifetime out of range: " + lifetimeSeconds);
        }
        ByteBuffer b = ByteBuffer.allocate(12);
        b.put((byte) VERSION).put((byte) mapOpcode(transport)).putShort((short) 0);
        b.putShort((short) internalPort).putShort((short) suggestedExternalPort);
        b.putInt((int) lifetimeSeconds);
        return b.array();
    }

    /**
     * Decodes an external address response; {@code null} when the datagram is a valid NAT-PMP response to
     * another opcode. The buffer is read from its position to its limit.
     */
    public static ExternalAddressResponse decodeExternalAddress(ByteBuffer datagram) throws MalformedReplyException {
        int[] header = header(datagram, OP_EXTERNAL_ADDRESS);
        if (header == null) {
            return null;
        }
        int result = header[0];
        long epoch = Integer.toUnsignedLong(datagram.getInt(datagram.position() + 4));
        if (result != 0) {
            return new ExternalAddressResponse(result, epoch, null);
        }
        if (datagram.remaining() != EXTERNAL_ADDRESS_RESPONSE_BYTES) {
            throw new MalformedReplyException("NAT-PMP external address response must be 12 bytes, got " + datagram.remaining());
        }
        byte[] ip = new byte[4];
        datagram.get(datagram.position() + 8, ip);
        return new ExternalAddressResponse(result, epoch, ipv4(ip));
    }

    /**
     * Decodes a mapping response for {@code transport}; {@code null} when the datagram is a valid NAT-PMP
     * response to another opcode.
     */
    public static MapResponse decodeMap(ByteBuffer datagram, IpProtocol transport) throws MalformedReplyException {
        int op = mapOpcode(transport);
        int[] header = header(datagram, op);
        if (header == null) {
            return null;
        }
        int result = header[0];
        int p = datagram.position();
        long epoch = Integer.toUnsignedLong(datagram.getInt(p + 4));
        if (result != 0) {
            return new MapResponse(op, result, epoch, 0, 0, 0);
        }
        if (datagram.remaining() != MAP_RESPONSE_BYTES) {
            throw new MalformedReplyException("NAT-PMP mapping response must be 16 bytes, got " + datagram.remaining());
        }
        int internal = Short.toUnsignedInt(datagram.getShort(p + 8));
        int external = Short.toUnsignedInt(datagram.getShort(p + 10));
        long lifetime = Integer.toUnsignedLong(datagram.getInt(p + 12));
        if (internal == 0) {
            throw new MalformedReplyException("NAT-PMP mapping response names internal port 0");
        }
        return new MapResponse(op, result, epoch, internal, external, lifetime);
    }

    /** Validates version, opcode and length; returns {result code} or null for another opcode's response. */
    private static int[] header(ByteBuffer datagram, int expectedOp) throws MalformedReplyException {
        int n = datagram.remaining();
        if (n < HEADER_BYTES) {
            throw new MalformedReplyException("NAT-PMP response too short: " + n + " bytes");
        }
        if (n > MAP_RESPONSE_BYTES) {
            throw new MalformedReplyException("NAT-PMP response too long: " + n + " bytes");
        }
        int p = datagram.position();
        int version = Byte.toUnsignedInt(datagram.get(p));
        int op = Byte.toUnsignedInt(datagram.get(p + 1));
        if (version != VERSION) {
            throw new MalformedReplyException("NAT-PMP response has version " + version + ", expected 0");
        }
        if (op < RESPONSE_BIT) {
            throw new MalformedReplyException("NAT-PMP packet with opcode " + op + " is a request, not a response");
        }
        int result = Short.toUnsignedInt(datagram.getShort(p + 2));
        if (op != RESPONSE_BIT + expectedOp) {
            // RFC 6886 section 3.5: an Unsupported Version answer may carry opcode 128 whatever was asked.
            return result == 1 && op == RESPONSE_BIT ? new int[] {result} : null;
        }
        return new int[] {result};
    }

    static Inet4Address ipv4(byte[] four) {
        try {
            return (Inet4Address) InetAddress.getByAddress(four);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
