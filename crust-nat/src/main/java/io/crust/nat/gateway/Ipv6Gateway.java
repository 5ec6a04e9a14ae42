package io.crust.nat.gateway;

import io.crust.nat.NatException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * The IPv6 gateway a pinhole is asked of, and the address of this host it is asked for.
 *
 * <p>The default route comes from Linux's {@code /proc/net/ipv6_route}: each line is
 * {@code destination prefix-length source source-length next-hop metric refcnt use flags device}, the
 * addresses as 32 hex digits in network order, the metric and flags as 8 hex digits. The default route
 * has destination {@code ::}, prefix length 0, a next hop and the RTF_GATEWAY flag (0x2); among several,
 * the lowest metric wins. Routers usually advertise themselves by their link-local address, so the
 * gateway carries its interface as scope.
 *
 * <p>The pinhole is for a global unicast address (2000::/3, RFC 4291 section 2.4) of the interface that
 * faces the gateway: a unique-local or link-local address is not reachable from outside whatever the
 * firewall lets in. Requests to the gateway are sent from that address, as PCP requires (RFC 6887
 * section 8.1: the client's address field must be the request's source).
 *
 * @param gateway the gateway, with its interface as scope when link-local
 * @param host    this host's global address on the interface facing the gateway
 */
public record Ipv6Gateway(Inet6Address gateway, Inet6Address host) {
    private static final Path ROUTE_TABLE = Path.of("/proc/net/ipv6_route");
    private static final int RTF_UP = 0x1;
    private static final int RTF_GATEWAY = 0x2;

    /** A default route as read from the table: the next hop and its device. */
    public record Route(byte[] nextHop, String device) {
    }

    /**
     * The gateway given ({@code configured} when it is an IPv6 address) or the default route's, and this
     * host's global address facing it.
     *
     * @throws NatException when there is no IPv6 default route or no global address on its interface
     */
    public static Ipv6Gateway find(InetAddress configured) throws NatException {
        Inet6Address gateway;
        NetworkInterface facing;
        if (configured instanceof Inet6Address given) {
            gateway = given;
            facing = given.getScopedInterface() != null ? given.getScopedInterface() : AddressKinds.interfaceFacing(given);
            if (facing == null) {
                throw new NatException("no interface of this host faces the IPv6 gateway " + given.getHostAddress());
            }
        } else {
            Route route = defaultRoute();
            try {
                facing = NetworkInterface.getByName(route.device());
                if (facing == null) {
                    throw new NatException("the IPv6 default route's interface " + route.device() + " is gone");
                }
                // a link-local address means nothing without its interface; a global one needs none
                boolean linkLocal = (route.nextHop()[0] & 0xff) == 0xfe && (route.nextHop()[1] & 0xc0) == 0x80;
                gateway = linkLocal ? Inet6Address.getByAddress(null, route.nextHop(), facing)
                        : (Inet6Address) InetAddress.getByAddress(route.nextHop());
            } catch (SocketException | UnknownHostException e) {
                throw new NatException("cannot use the IPv6 default route via " + route.device() + ": " + e.getMessage(), e);
            }
        }
        Inet6Address host = globalAddress(facing);
        if (host == null) {
            throw new NatException("interface " + facing.getName() + " has no global IPv6 address to open a pinhole for"
                    + " (a unique-local or link-local address is not reachable from outside)");
        }
        return new Ipv6Gateway(gateway, host);
    }

    /** The default route of this host's network namespace. */
    static Route defaultRoute() throws NatException {
        try {
            return parse(Files.readAllLines(ROUTE_TABLE));
        } catch (IOException e) {
            throw new NatException("cannot read " + ROUTE_TABLE + " to find the IPv6 gateway; pass it in PortMapperOptions.withGateway", e);
        }
    }

    /** Parses the table's lines (it has no header line). */
    public static Route parse(List<String> lines) throws NatException {
        Route best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || f[0].length() != 32 || f[4].length() != 32) {
                continue;
            }
            try {
                byte[] destination = HexFormat.of().parseHex(f[0]);
                int prefixLength = Integer.parseInt(f[1], 16);
                byte[] nextHop = HexFormat.of().parseHex(f[4]);
                long metric = Long.parseLong(f[5], 16);
                int flags = (int) Long.parseLong(f[8], 16);
                boolean isDefault = prefixLength == 0 && isZero(destination) && !isZero(nextHop)
                        && (flags & (RTF_UP | RTF_GATEWAY)) == (RTF_UP | RTF_GATEWAY);
                if (isDefault && metric < bestMetric) {
                    best = new Route(nextHop, f[9]);
                    bestMetric = metric;
                }
            } catch (IllegalArgumentException e) {
                // a line we do not understand is not a default route
            }
        }
        if (best == null) {
            throw new NatException("no IPv6 default route in " + ROUTE_TABLE + "; pass the gateway in PortMapperOptions.withGateway");
        }
        return best;
    }

    /** The first global unicast address of {@code nif}, or null. */
    static Inet6Address globalAddress(NetworkInterface nif) {
        return nif.inetAddresses()
                .filter(a -> a instanceof Inet6Address && isGlobal(a))
                .map(Ipv6Gateway::withoutScope)
                .findFirst()
                .orElse(null);
    }

    /** The interface's addresses carry it as scope; a global address needs none, and shows none to peers. */
    private static Inet6Address withoutScope(InetAddress address) {
        try {
            return (Inet6Address) InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** A global unicast IPv6 address: 2000::/3 (RFC 4291 section 2.4). */
    public static boolean isGlobal(InetAddress address) {
        return address instanceof Inet6Address && (address.getAddress()[0] & 0xE0) == 0x20;
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
