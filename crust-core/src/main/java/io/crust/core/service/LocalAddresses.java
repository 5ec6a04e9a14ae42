package io.crust.core.service;

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
