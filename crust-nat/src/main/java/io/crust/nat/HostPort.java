package io.crust.nat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A {@code host:port} pair as text gives it: {@code 192.0.2.1:5483}, {@code [2001:db8::1]:5483}
 * (IPv6 always in brackets, RFC 3986 section 3.2.2) or {@code peer.example.org:5483}.
 *
 * <p>Parsing never looks a name up. Input from a peer or a gateway is turned into an address with
 * {@link #literal(String)} or {@link #toLiteralAddress()}, which refuse names. Only a name a user
 * typed is resolved, and only when the caller asks for it with {@link #resolve()}.
 *
 * @param host an IP literal (IPv6 without brackets) or a DNS name
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {
    /** A DNS name has at most 253 characters (RFC 1035 section 2.3.4); with brackets and a port, less than this. */
    static final int MAX_CHARS = 253 + 2 + 6;

    /**
     * Validates the host and the port; nothing is looked up.
     *
     * @throws IllegalArgumentException if the port is outside 1 to 65535 or the host is neither a valid IP
     *                                  literal nor a DNS name
     */
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        if (looksNumeric(host)) {
            IpLiteral.parse(host); // throws with a message saying what is wrong with the address
        } else if (!isDnsName(host)) {
            throw new IllegalArgumentException("'" + IpLiteral.shown(host) + "' is neither an IP address nor a host name");
        }
    }

    /**
     * The host and port of an address, the host as its IP literal (the name for an unresolved address).
     *
     * @param address an address with a port other than 0
     * @return its host and port
     */
    public static HostPort of(InetSocketAddress address) {
        if (address.isUnresolved()) {
            return new HostPort(address.getHostString(), address.getPort());
        }
        return new HostPort(address.getAddress().getHostAddress(), address.getPort());
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}. A name is checked for form, not looked up.
     *
     * @param text the text, such as a command-line argument
     * @return the host and port
     * @throws IllegalArgumentException saying what is wrong
     */
    public static HostPort parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("HOST:PORT is required, got nothing");
        }
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("'" + IpLiteral.shown(text) + "' is too long for HOST:PORT");
        }
        String host;
        String portText;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + IpLiteral.shown(text) + "' is not [IPv6]:PORT");
            }
            host = text.substring(1, close);
            if (host.indexOf(':') < 0) {
                throw new IllegalArgumentException("'" + IpLiteral.shown(text) + "': brackets are for IPv6 addresses only");
            }
            portText = text.substring(close + 2);
        } else {
            int colon = text.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + IpLiteral.shown(text) + "' has no port: expected HOST:PORT");
            }
            if (text.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("'" + IpLiteral.shown(text)
                        + "': an IPv6 address needs brackets, as in [2001:db8::1]:5483");
            }
            host = text.substring(0, colon);
            portText = text.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + IpLiteral.shown(text) + "' has no host: expected HOST:PORT");
        }
        return new HostPort(host, port(portText, text));
    }

    /**
     * Parses {@code ip:port} or {@code [ipv6]:port} into an address without any name lookup: the
     * parser for everything a peer or a gateway sends.
     *
     * @param text the text from a peer or a gateway
     * @return the address, resolved from the literal's bytes
     * @throws IllegalArgumentException when the text is malformed or its host is a name
     */
    public static InetSocketAddress literal(String text) {
        return parse(text).toLiteralAddress();
    }

    /** {@return true when the host is an IP literal rather than a name} */
    public boolean isLiteral() {
        return looksNumeric(host);
    }

    /**
     * The address, built from the literal's bytes.
     *
     * @return the address; no name is looked up
     * @throws IllegalArgumentException when the host is a name
     */
    public InetSocketAddress toLiteralAddress() {
        if (!isLiteral()) {
            throw new IllegalArgumentException("'" + IpLiteral.shown(host) + "' is a name, not an IP address");
        }
        return new InetSocketAddress(IpLiteral.parse(host), port);
    }

    /**
     * The address, looking the host up if it is a name. Only for a name a user typed: never call it
     * on what a peer or a gateway sent.
     *
     * @return the resolved address
     * @throws UnknownHostException when the name does not resolve
     */
    public InetSocketAddress resolve() throws UnknownHostException {
        if (isLiteral()) {
            return toLiteralAddress();
        }
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /** {@code host:port}, with brackets around an IPv6 host; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int port(String portText, String text) {
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + IpLiteral.shown(text) + "' has no numeric port");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
        return port;
    }

    /** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
    private static boolean isDnsName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    /** An IPv6 address (it has a colon) or what can only be meant as an IPv4 one (digits and dots). */
    private static boolean looksNumeric(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
