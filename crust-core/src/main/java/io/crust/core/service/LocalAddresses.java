package io.crust.core.service;

import io.crust.core.connect.TcpPunch;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The host candidates of a listener: its bound address, or every usable interface address if bound to
 * all (loopback addresses only on a machine without any other).
 */
final class LocalAddresses {
    private LocalAddresses() {
    }

    /**
     * The one address to give another program to reach a listener: the bound address, or, when it is
     * bound to all interfaces, the first IPv4 host candidate, else the first candidate (never the
     * wildcard, which no one can dial).
     */
    static InetSocketAddress connectable(InetSocketAddress bound) {
        return bound.getAddress().isAnyLocalAddress() ? connectable(bound, of(bound)) : bound;
    }

    /** {@link #connectable(InetSocketAddress)} choosing among the given host candidates of {@code bound}. */
    static InetSocketAddress connectable(InetSocketAddress bound, List<InetSocketAddress> candidates) {
        if (!bound.getAddress().isAnyLocalAddress()) {
            return bound;
        }
        for (InetSocketAddress a : candidates) {
            if (a.getAddress() instanceof java.net.Inet4Address) {
                return a;
            }
        }
        return candidates.isEmpty() ? new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()) : candidates.get(0);
    }

    /** True if a socket bound to {@code bindAddress} can send from a global unicast IPv6 address (2000::/3). */
    static boolean hasGlobalIpv6(InetAddress bindAddress) {
        return of(new InetSocketAddress(bindAddress, 0)).stream().anyMatch(a -> TcpPunch.isGlobalIpv6(a.getAddress()));
    }

    static List<InetSocketAddress> of(InetSocketAddress bound) {
        if (!bound.getAddress().isAnyLocalAddress()) {
            return List.of(bound);
        }
        List<InetSocketAddress> addresses = new ArrayList<>();
        List<InetSocketAddress> loopback = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet6Address && (a.isLinkLocalAddress() || a.isSiteLocalAddress())) {
                        continue;
                    }
                    (a.isLoopbackAddress() ? loopback : addresses).add(new InetSocketAddress(a, bound.getPort()));
                }
            }
        } catch (SocketException e) {
            return List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()));
        }
        // Loopback only when there is nothing else: a remote peer dialling "127.0.0.1" reaches whatever
        // listens on its own machine, and a peer on this machine can use the interface addresses.
        return addresses.isEmpty() ? loopback : addresses;
    }
}
