package io.crust.nat.gateway;

import io.crust.nat.NatException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the IPv4 default gateway from Linux's {@code /proc/net/route}.
 *
 * <p>Each line after the header is {@code Iface Destination Gateway Flags RefCnt Use Metric Mask ...}, the
 * addresses as 8 hex digits in host byte order (little-endian on the machines we run on). The default route
 * has Destination 00000000, Mask 00000000 and the RTF_GATEWAY flag (0x2); among several, the lowest metric wins.
 */
public final class DefaultRoute {
    private static final Path ROUTE_TABLE = Path.of("/proc/net/route");
    private static final int RTF_UP = 0x1;
    private static final int RTF_GATEWAY = 0x2;

    private DefaultRoute() {
    }

    /** The default gateway of this host's network namespace. */
    public static InetAddress gateway() throws NatException {
        List<String> lines;
        try {
            lines = Files.readAllLines(ROUTE_TABLE);
        } catch (IOException e) {
            throw new NatException("cannot read " + ROUTE_TABLE + " to find the gateway; pass it in PortMapperOptions.withGateway", e);
        }
        return parse(lines);
    }

    /** Parses the table's lines (header included). */
    public static InetAddress parse(List<String> lines) throws NatException {
        InetAddress best = null;
        long bestMetric = Long.MAX_VALUE;
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            try {
                long destination = Long.parseLong(f[1], 16);
                long gateway = Long.parseLong(f[2], 16);
                int flags = Integer.parseInt(f[3], 16);
                long metric = Long.parseLong(f[6]);
                long mask = Long.parseLong(f[7], 16);
                boolean isDefault = destination == 0 && mask == 0 && (flags & (RTF_UP | RTF_GATEWAY)) == (RTF_UP | RTF_GATEWAY);
                if (isDefault && gateway != 0 && gateway <= 0xffffffffL && metric < bestMetric) {
                    best = littleEndianAddress((int) gateway);
                    bestMetric = metric;
                }
            } catch (NumberFormatException e) {
                // a line we do not understand is not a default route
            }
        }
        if (best == null) {
            throw new NatException("no IPv4 default route in " + ROUTE_TABLE + "; pass the gateway in PortMapperOptions.withGateway"
                    + " (map asks an IPv4 gateway; for IPv6, whose gateway translates nothing, openPinhole asks"
                    + " the IPv6 gateway's firewall to let a port in)");
        }
        return best;
    }

    private static InetAddress littleEndianAddress(int v) {
        byte[] b = {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
