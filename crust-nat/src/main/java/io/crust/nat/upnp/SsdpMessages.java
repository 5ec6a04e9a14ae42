package io.crust.nat.upnp;

import io.crust.nat.gateway.MalformedPacketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * SSDP search (UPnP Device Architecture 1.1, section 1.3): an HTTP-formatted request in one UDP datagram to
 * 239.255.255.250:1900, answered by unicast HTTP-formatted responses. Pure codec.
 *
 * <pre>
 * M-SEARCH * HTTP/1.1                     HTTP/1.1 200 OK
 * HOST: 239.255.255.250:1900              CACHE-CONTROL: max-age=120
 * MAN: "ssdp:discover"                    LOCATION: http://192.168.1.1:5555/rootDesc.xml
 * MX: 2                                   ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1
 * ST: urn:...:InternetGatewayDevice:1     USN: uuid:...::urn:...:InternetGatewayDevice:1
 * (empty line)                            (empty line)
 * </pre>
 * The response parser accepts only a 200 status line, CRLF or LF line ends, US-ASCII header lines, and a
 * LOCATION that is an absolute {@code http} URL with a literal IP host; anything else is malformed.
 */
public final class SsdpMessages {
    public static final String IGD_V1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
    public static final String IGD_V2 = "urn:schemas-upnp-org:device:InternetGatewayDevice:2";
    /** A response longer than this is not an SSDP answer. */
    public static final int MAX_RESPONSE_BYTES = 2048;

    private SsdpMessages() {
    }

    /** A search response: where the device description is, and what matched. */
    public record SearchResponse(URI location, String searchTarget, String usn) {
    }

    public static byte[] search(String host, int mxSeconds, String searchTarget) {
        String text = "M-SEARCH * HTTP/1.1\r\n"
                + "HOST: " + host + "\r\n"
                + "MAN: \"ssdp:discover\"\r\n"
                + "MX: " + mxSeconds + "\r\n"
                + "ST: " + searchTarget + "\r\n"
                + "\r\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    public static SearchResponse decode(ByteBuffer datagram) throws MalformedPacketException {
        int n = datagram.remaining();
        if (n == 0 || n > MAX_RESPONSE_BYTES) {
            throw new MalformedPacketException("SSDP response of " + n + " bytes");
        }
        byte[] raw = new byte[n];
        datagram.get(datagram.position(), raw);
        for (byte b : raw) {
            if (b < 0 || (b < 0x20 && b != '\r' && b != '\n' && b != '\t')) {
                throw new MalformedPacketException("SSDP response contains a non-ASCII or control byte");
            }
        }
        String[] lines = new String(raw, StandardCharsets.US_ASCII).split("\r?\n", -1);
        String status = lines[0].trim();
        if (!status.startsWith("HTTP/1.") || !status.matches("HTTP/1\\.[01] 200( .*)?")) {
            throw new MalformedPacketException("SSDP response status is not 200: " + shorten(status));
        }
        String location = null;
        String st = null;
        String usn = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedPacketException("SSDP header line without a name: " + shorten(line));
            }
            String name = line.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "LOCATION" -> location = value;
                case "ST" -> st = value;
                case "USN" -> usn = value;
                default -> { }
            }
        }
        if (location == null || st == null) {
            throw new MalformedPacketException("SSDP response lacks LOCATION or ST");
        }
        return new SearchResponse(httpUrlWithIpHost(location), st, usn == null ? "" : usn);
    }

    /** Parses an absolute http URL whose host is a literal IPv4 address. */
    static URI httpUrlWithIpHost(String text) throws MalformedPacketException {
        try {
            URI uri = new URI(text);
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null
                    || !uri.getHost().matches("\\d{1,3}(\\.\\d{1,3}){3}") || uri.getRawUserInfo() != null) {
                throw new MalformedPacketException("not an http URL with an IPv4 host: " + shorten(text));
            }
            for (String part : uri.getHost().split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new MalformedPacketException("not an IPv4 host: " + shorten(text));
                }
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new MalformedPacketException("bad URL: " + shorten(text), e);
        }
    }

    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
