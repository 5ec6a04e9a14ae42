package io.crust.nat.pcp;

import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.MalformedReplyException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * PCP MAP messages, RFC 6887. Big-endian. Addresses are 128-bit; IPv4 is sent IPv4-mapped (::ffff:a.b.c.d,
 * section 5). Pure codec: no I/O.
 *
 * <p>Request header (section 7.1), then the MAP opcode (section 11.1), 60 bytes in all:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Version = 2  |R|   Opcode    |         Reserved              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Requested Lifetime (32 bits)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            PCP Client's IP Address (128 bits)                 |
 * |                          (4 words)                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Mapping Nonce (96 bits)                       |
 * |                          (3 words)                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Protocol    |          Reserved (24 bits)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Internal Port          |    Suggested External Port    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Suggested External IP Address (128 bits)            |
 * |                          (4 words)                            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Response header (section 7.2), then the same MAP layout with the assigned port and address, then options:
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Version = 2  |R|   Opcode    |   Reserved    |  Result Code  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Lifetime (32 bits)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Epoch Time (32 bits)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Reserved (96 bits)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * : MAP: nonce, protocol, internal port, assigned external port and address (36 bytes)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * :  Options: Code (8) | Reserved (8) | Length (16) | data padded to 4 bytes (section 7.3)
 * </pre>
 * <p>ANNOUNCE (section 14.1) is the bare header with opcode 0 and lifetime 0, no payload. A client sends it
 * to learn the server's epoch; a server that restarted multicasts it unsolicited to 224.0.0.1:5350
 * (section 14.1). {@link #decodeAnnounce} reads both.
 *
 * <p>Messages are at most 1100 bytes and a multiple of 4 long (section 7). A NAT-PMP-only server answers a PCP
 * request with the NAT-PMP Unsupported Version response (version 0, result 1); {@link #decodeMap} reports it
 * as {@link Response#natPmpOnly()} (section 9).
 */
public final class PcpMessages {
    public static final int VERSION = 2;
    public static final int OPCODE_ANNOUNCE = 0;
    public static final int OPCODE_MAP = 1;
    public static final int RESPONSE_BIT = 0x80;
    public static final int HEADER_BYTES = 24;
    public static final int MAP_BYTES = 36;
    public static final int MAX_MESSAGE_BYTES = 1100;
    public static final int NONCE_BYTES = 12;
    public static final int RESULT_UNSUPP_VERSION = 1;
    /** The IPv6 all-zeros address: as the suggested external address, "an IPv6 mapping, no preference" (section 5). */
    public static final InetAddress IPV6_ZERO = address(new byte[16]);
    static final int IANA_UDP = 17;
    static final int IANA_TCP = 6;

    private PcpMessages() {
    }

    /** Result codes, RFC 6887 section 7.4. */
    public static String resultName(int code) {
        return switch (code) {
            case 0 -> "SUCCESS";
            case 1 -> "UNSUPP_VERSION";
            case 2 -> "NOT_AUTHORIZED";
            case 3 -> "MALFORMED_REQUEST";
            case 4 -> "UNSUPP_OPCODE";
            case 5 -> "UNSUPP_OPTION";
            case 6 -> "MALFORMED_OPTION";
            case 7 -> "NETWORK_FAILURE";
            case 8 -> "NO_RESOURCES";
            case 9 -> "UNSUPP_PROTOCOL";
            case 10 -> "USER_EX_QUOTA";
            case 11 -> "CANNOT_PROVIDE_EXTERNAL";
            case 12 -> "ADDRESS_MISMATCH";
            case 13 -> "EXCESSIVE_REMOTE_PEERS";
            default -> "result code " + code;
        };
    }

    /**
     * A decoded MAP response. For error answers shorter than a MAP response the MAP fields are zero/null.
     *
     * @param version the version the server speaks (0 = NAT-PMP only)
     */
    public record Response(int version, int resultCode, long lifetimeSeconds, long epochSeconds, byte[] nonce,
            int protocol, int internalPort, int externalPort, InetAddress externalAddress) {

        /** The server answered with NAT-PMP's Unsupported Version: fall back to NAT-PMP. */
        public boolean natPmpOnly() {
            return version == 0 && resultCode == RESULT_UNSUPP_VERSION;
        }
    }

    /** A decoded ANNOUNCE response: its result code and the server's epoch (seconds). */
    public record Announce(int resultCode, long epochSeconds) {
    }

    public static int ianaProtocol(IpProtocol transport) {
        return transport == IpProtocol.UDP ? IANA_UDP : IANA_TCP;
    }

    /** A MAP request; {@code suggestedExternal} may be null for "no preference" (the IPv4 all-zeros address). */
    public static byte[] mapRequest(InetAddress client, long lifetimeSeconds, byte[] nonce, IpProtocol transport,
            int internalPort, int suggestedExternalPort, InetAddress suggestedExternal) {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("nonce must be 12 bytes");
        }
        if (lifetimeSeconds < 0 || lifetimeSeconds > 0xffffffffL) {
            throw new IllegalArgumentException("lifetime out of range: " + lifetimeSeconds);
        }
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + MAP_BYTES);
        b.put((byte) VERSION).put((byte) OPCODE_MAP).putShort((short) 0);
        b.putInt((int) lifetimeSeconds);
        b.put(address128(client));
        b.put(nonce);
        b.put((byte) ianaProtocol(transport)).put((byte) 0).putShort((short) 0);
        b.putShort((short) internalPort).putShort((short) suggestedExternalPort);
        b.put(suggestedExternal == null ? address128(ipv4Zero()) : address128(suggestedExternal));
        return b.array();
    }

    /** An ANNOUNCE request (section 14.1): the header alone, lifetime 0, from {@code client}. */
    public static byte[] announceRequest(InetAddress client) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.put((byte) VERSION).put((byte) OPCODE_ANNOUNCE).putShort((short) 0);
        b.putInt(0);
        b.put(address128(client));
        return b.array();
    }

    /**
     * Decodes an ANNOUNCE response, solicited or not; {@code null} for a valid PCP response to another opcode.
     * Validates length (24..1100, a multiple of 4), version 2, the R bit and the options before reading the
     * epoch. Every response carries the epoch, an error response too (section 7.2).
     */
    public static Announce decodeAnnounce(ByteBuffer datagram) throws MalformedReplyException {
        int n = datagram.remaining();
        int p = datagram.position();
        if (n < HEADER_BYTES) {
            throw new MalformedReplyException("PCP response too short: " + n + " bytes");
        }
        if (n > MAX_MESSAGE_BYTES || n % 4 != 0) {
            throw new MalformedReplyException("PCP response length " + n + " is over 1100 or not a multiple of 4");
        }
        int version = Byte.toUnsignedInt(datagram.get(p));
        int rOpcode = Byte.toUnsignedInt(datagram.get(p + 1));
        if (version != VERSION) {
            throw new MalformedReplyException("PCP response has version " + version + ", expected 2");
        }
        if ((rOpcode & RESPONSE_BIT) == 0) {
            throw new MalformedReplyException("PCP packet without the R bit is a request, not a response");
        }
        if ((rOpcode & 0x7f) != OPCODE_ANNOUNCE) {
            return null;
        }
        validateOptions(datagram, p + HEADER_BYTES, p + n);
        int result = Byte.toUnsignedInt(datagram.get(p + 3));
        long epoch = Integer.toUnsignedLong(datagram.getInt(p + 8));
        return new Announce(result, epoch);
    }

    /** Decodes a MAP response; {@code null} for a valid PCP response to another opcode. */
    public static Response decodeMap(ByteBuffer datagram) throws MalformedReplyException {
        int n = datagram.remaining();
        int p = datagram.position();
        if (n >= 4 && datagram.get(p) == 0) {
            int result = Short.toUnsignedInt(datagram.getShort(p + 2));
            int op = Byte.toUnsignedInt(datagram.get(p + 1));
            if (result == RESULT_UNSUPP_VERSION && op >= 128 && n <= 16) {
                return new Response(0, result, 0, n >= 8 ? Integer.toUnsignedLong(datagram.getInt(p + 4)) : 0,
                        null, 0, 0, 0, null);
            }
            throw new MalformedReplyException("version 0 (NAT-PMP) reply to a PCP request that is not Unsupported Version");
        }
        if (n < HEADER_BYTES) {
            throw new MalformedReplyException("PCP response too short: " + n + " bytes");
        }
        if (n > MAX_MESSAGE_BYTES || n % 4 != 0) {
            throw new MalformedReplyException("PCP response length " + n + " is over 1100 or not a multiple of 4");
        }
        int version = Byte.toUnsignedInt(datagram.get(p));
        int rOpcode = Byte.toUnsignedInt(datagram.get(p + 1));
        int result = Byte.toUnsignedInt(datagram.get(p + 3));
        long lifetime = Integer.toUnsignedLong(datagram.getInt(p + 4));
        long epoch = Integer.toUnsignedLong(datagram.getInt(p + 8));
        if ((rOpcode & RESPONSE_BIT) == 0) {
            throw new MalformedReplyException("PCP packet without the R bit is a request, not a response");
        }
        if (version != VERSION) {
            if (result == RESULT_UNSUPP_VERSION) {
                return new Response(version, result, lifetime, epoch, null, 0, 0, 0, null);
            }
            throw new MalformedReplyException("PCP response has version " + version + ", expected 2");
        }
        if ((rOpcode & 0x7f) != OPCODE_MAP) {
            return null;
        }
        if (n < HEADER_BYTES + MAP_BYTES) {
            if (result == 0) {
                throw new MalformedReplyException("PCP MAP success response of " + n + " bytes lacks the MAP fields");
            }
            return new Response(version, result, lifetime, epoch, null, 0, 0, 0, null);
        }
        int m = p + HEADER_BYTES;
        byte[] nonce = new byte[NONCE_BYTES];
        datagram.get(m, nonce);
        int protocol = Byte.toUnsignedInt(datagram.get(m + 12));
        int internalPort = Short.toUnsignedInt(datagram.getShort(m + 16));
        int externalPort = Short.toUnsignedInt(datagram.getShort(m + 18));
        byte[] ip = new byte[16];
        datagram.get(m + 20, ip);
        validateOptions(datagram, m + MAP_BYTES, p + n);
        InetAddress external = address(ip);
        if (result == 0 && (externalPort == 0 && lifetime != 0)) {
            throw new MalformedReplyException("PCP MAP success response assigns external port 0");
        }
        return new Response(version, result, lifetime, epoch, nonce, protocol, internalPort, externalPort, external);
    }

    /** Walks the options (section 7.3) so that a truncated or overlong one is caught; their content is not used. */
    private static void validateOptions(ByteBuffer b, int from, int end) throws MalformedReplyException {
        int at = from;
        while (at < end) {
            if (end - at < 4) {
                throw new MalformedReplyException("PCP option header truncated at byte " + at);
            }
            int code = Byte.toUnsignedInt(b.get(at));
            int length = Short.toUnsignedInt(b.getShort(at + 2));
            int padded = (length + 3) & ~3;
            if (code == 0) {
                throw new MalformedReplyException("PCP option code 0 is reserved");
            }
            if (padded > end - at - 4) {
                throw new MalformedReplyException("PCP option " + code + " of length " + length + " runs past the end");
            }
            at += 4 + padded;
        }
    }

    /** 16 bytes: IPv6 as is, IPv4 as ::ffff:a.b.c.d. */
    public static byte[] address128(InetAddress address) {
        byte[] raw = address.getAddress();
        if (raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    /** The inverse of {@link #address128}: IPv4-mapped becomes an {@link Inet4Address}. */
    static InetAddress address(byte[] sixteen) {
        try {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= sixteen[i] == 0;
            }
            mapped &= sixteen[10] == (byte) 0xff && sixteen[11] == (byte) 0xff;
            if (mapped) {
                return InetAddress.getByAddress(Arrays.copyOfRange(sixteen, 12, 16));
            }
            return Inet6Address.getByAddress(null, sixteen, null);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    private static InetAddress ipv4Zero() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
