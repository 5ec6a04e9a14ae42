package io.crust.nat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The one parser of IP address literals in Crust: text from a peer, a gateway or a user becomes an
 * {@link InetAddress} built from its bytes ({@link InetAddress#getByAddress(byte[])}), so no name
 * is ever looked up. {@code InetAddress.getByName} is not used on such text because anything it
 * does not recognise as a literal, such as {@code cafe} or {@code dead.beef}, it sends to the
 * name resolver: the remote would choose a name for this node to look up.
 *
 * <p>Accepted forms:
 * <ul>
 *   <li>IPv4, RFC 3986 {@code dec-octet}: exactly four decimal numbers 0-255 separated by dots, no
 *       leading zeros (the C library reads {@code 010} as octal, so it is ambiguous);</li>
 *   <li>IPv6, RFC 4291 section 2.2: up to eight groups of one to four hex digits, at most one
 *       {@code ::}, optionally ending in an IPv4 dotted quad, optionally followed by a numeric zone
 *       ({@code %3}). No brackets: those belong to {@link HostPort}.</li>
 * </ul>
 */
public final class IpLiteral {
    /** The longest IPv6 text ({@code ffff:...:255.255.255.255}, 45) plus a zone of up to 10 digits. */
    static final int MAX_CHARS = 45 + 11;

    private IpLiteral() {
    }

    /**
     * Parses an IP literal.
     *
     * @param text the literal, in one of the forms of the class comment
     * @return the address built from the literal's bytes
     * @throws IllegalArgumentException saying what is wrong, when {@code text} is not a literal
     */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("an IP address is required, got nothing");
        }
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("'" + shown(text) + "' is too long for an IP address");
        }
        try {
            if (text.indexOf(':') >= 0) {
                return ipv6(text);
            }
            return InetAddress.getByAddress(ipv4(text, text));
        } catch (UnknownHostException e) {
            // getByAddress only throws this for a wrong array length, which the parsers rule out
            throw new IllegalStateException(e);
        }
    }

    /**
     * The address as text in the canonical form of RFC 5952 section 4 (what C's {@code inet_ntop} prints, and
     * what a gateway compares text against): IPv4 dotted; IPv6 in lower-case hex without leading zeros, the
     * longest run of two or more zero groups (the first of equal runs) as {@code ::}, no zone.
     * {@link InetAddress#getHostAddress()} writes every group ({@code 2001:db8:1:0:0:0:0:2}).
     *
     * @param address an IPv4 or IPv6 address
     * @return its canonical text, such as {@code 2001:db8:1::2}
     */
    public static String canonical(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return address.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /**
     * Tests text without an exception for a non-literal.
     *
     * @param text the text to test, or null
     * @return true when {@code text} is an IP literal {@link #parse} accepts
     */
    public static boolean isLiteral(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] ipv4(String part, String whole) {
        byte[] ip = new byte[4];
        int octet = 0;
        int start = 0;
        for (int i = 0; i <= part.length(); i++) {
            if (i < part.length() && part.charAt(i) != '.') {
                char c = part.charAt(i);
                if (c < '0' || c > '9') {
                    throw notLiteral(whole, "'" + c + "' is not a digit of an IPv4 address");
                }
                continue;
            }
            int digits = i - start;
            if (octet == 4) {
                throw notLiteral(whole, "an IPv4 address has four numbers");
            }
            if (digits == 0 || digits > 3) {
                throw notLiteral(whole, "each IPv4 number has one to three digits");
            }
            if (digits > 1 && part.charAt(start) == '0') {
                throw notLiteral(whole, "an IPv4 number with a leading zero is ambiguous");
            }
            int value = Integer.parseInt(part, start, i, 10);
            if (value > 255) {
                throw notLiteral(whole, value + " is over 255");
            }
            ip[octet++] = (byte) value;
            start = i + 1;
        }
        if (octet != 4) {
            throw notLiteral(whole, "an IPv4 address has four numbers");
        }
        return ip;
    }

    private static InetAddress ipv6(String text) throws UnknownHostException {
        String address = text;
        int scope = -1;
        int percent = text.indexOf('%');
        if (percent >= 0) {
            String zone = text.substring(percent + 1);
            if (zone.isEmpty() || zone.length() > 10 || !zone.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw notLiteral(text, "the zone after % must be a number (an interface index)");
            }
            scope = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(zone));
            address = text.substring(0, percent);
        }
        byte[] ip = ipv6Bytes(address, text);
        if (scope >= 0) {
            return Inet6Address.getByAddress(null, ip, scope);
        }
        // An IPv4-mapped address (::ffff:a.b.c.d) comes back as the Inet4Address, as the JDK does.
        return InetAddress.getByAddress(ip);
    }

    private static byte[] ipv6Bytes(String address, String whole) {
        int gap = address.indexOf("::");
        if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
            throw notLiteral(whole, "an IPv6 address has at most one '::'");
        }
        byte[] ip = new byte[16];
        if (gap < 0) {
            int n = groups(address, whole, ip, 0, true);
            if (n != 16) {
                throw notLiteral(whole, "an IPv6 address without '::' has eight groups");
            }
            return ip;
        }
        byte[] head = new byte[16];
        byte[] tail = new byte[16];
        int headBytes = gap == 0 ? 0 : groups(address.substring(0, gap), whole, head, 0, false);
        String after = address.substring(gap + 2);
        int tailBytes = after.isEmpty() ? 0 : groups(after, whole, tail, 0, true);
        if (headBytes + tailBytes > 14) {
            throw notLiteral(whole, "'::' must stand for at least one group");
        }
        System.arraycopy(head, 0, ip, 0, headBytes);
        System.arraycopy(tail, 0, ip, 16 - tailBytes, tailBytes);
        return ip;
    }

    /** Parses colon-separated hex groups (and a final dotted quad if allowed) into {@code out}; returns bytes written. */
    private static int groups(String part, String whole, byte[] out, int offset, boolean ipv4Allowed) {
        int at = offset;
        int start = 0;
        while (true) {
            int colon = part.indexOf(':', start);
            int end = colon < 0 ? part.length() : colon;
            String group = part.substring(start, end);
            if (colon < 0 && ipv4Allowed && group.indexOf('.') >= 0) {
                if (at + 4 > 16) {
                    throw notLiteral(whole, "too many groups for an IPv6 address");
                }
                System.arraycopy(ipv4(group, whole), 0, out, at, 4);
                return at + 4 - offset;
            }
            if (group.isEmpty() || group.length() > 4) {
                throw notLiteral(whole, "each IPv6 group has one to four hex digits");
            }
            int value = 0;
            for (int i = 0; i < group.length(); i++) {
                int digit = Character.digit(group.charAt(i), 16);
                if (digit < 0 || group.charAt(i) > 'f') {
                    throw notLiteral(whole, "'" + group.charAt(i) + "' is not a hex digit");
                }
                value = value << 4 | digit;
            }
            if (at + 2 > 16) {
                throw notLiteral(whole, "too many groups for an IPv6 address");
            }
            out[at++] = (byte) (value >>> 8);
            out[at++] = (byte) value;
            if (colon < 0) {
                return at - offset;
            }
            start = colon + 1;
        }
    }

    private static IllegalArgumentException notLiteral(String text, String why) {
        return new IllegalArgumentException("'" + shown(text) + "' is not an IP address: " + why);
    }

    /** Text from a peer is shown in messages, but never more than a line of it. */
    static String shown(String text) {
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= 64 ? oneLine : oneLine.substring(0, 64) + "...";
    }
}
