package io.crust.nat.gateway;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;

/** Address classification for the double-NAT report and the UPnP local-network check. */
public final class AddressKinds {
    private AddressKinds() {
    }

    /**
     * True for addresses that are not reachable from the internet: RFC 1918, RFC 6598 shared address space
     * (carrier-grade NAT, 100.64.0.0/10), link-local, loopback, unspecified, and IPv6 unique-local.
     */
    public static boolean isPrivate(InetAddress address) {
        if (address.isSiteLocalAddress() || address.isLinkLocalAddress() || address.isLoopbackAddress()
                || address.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        }
        return (b[0] & 0xfe) == 0xfc;
    }

    /**
     * True when {@code address} lies inside the subnet of one of this host's interfaces (loopback included).
     * This is the test a UPnP description URL must pass: a device on our own link, never a host elsewhere.
     */
    public static boolean isOnLocalSubnet(InetAddress address) {
        return interfaceFacing(address) != null;
    }

    /** The interface (up) whose subnet holds {@code address}, or null when none does. */
    public static NetworkInterface interfaceFacing(InetAddress address) {
        try {
            Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
            while (all != null && all.hasMoreElements()) {
                NetworkInterface nif = all.nextElement();
                if (!nif.isUp()) {
                    continue;
                }
                for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
                    if (sameSubnet(ia.getAddress(), address, ia.getNetworkPrefixLength())) {
                        return nif;
                    }
                }
            }
        } catch (SocketException e) {
            return null;
        }
        return null;
    }

    /** True when the first {@code prefixLength} bits of both addresses agree (and they are the same family). */
    public static boolean sameSubnet(InetAddress a, InetAddress b, int prefixLength) {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length || prefixLength < 0 || prefixLength > x.length * 8) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (x[i] != y[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (x[full] & mask) == (y[full] & mask);
    }
}
