package io.crust.demo.peer;

import io.crust.core.ConnectionInfo;
import io.crust.core.PeerRecord;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code nat} field of the demo's {@code started} and {@code id} events, from what the node knows of
 * its own addresses: {@code mapped} (a port mapping on the gateway), {@code none} (the address others
 * see is one of our own interfaces), {@code behind-nat} (others see another address), or
 * {@code unknown} (nobody has told us yet: right after start, before any peer answered). A full
 * classification (mapping and filtering behaviour, RFC 5780) needs two STUN servers with a second
 * address: {@code crust-demo nat classify} does that.
 */
final class NatGuess {
    private NatGuess() {
    }

    static String of(ConnectionInfo info) {
        List<PeerRecord.Kind> kinds = new ArrayList<>(info.tcpKinds());
        kinds.addAll(info.udpKinds());
        List<InetSocketAddress> addresses = new ArrayList<>(info.tcpAddresses());
        addresses.addAll(info.udpAddresses());
        Set<InetAddress> own = new HashSet<>();
        for (int i = 0; i < addresses.size(); i++) {
            if (kinds.get(i) == PeerRecord.Kind.HOST) {
                own.add(addresses.get(i).getAddress());
            }
        }
        boolean reflexive = false;
        boolean outside = false;
        for (int i = 0; i < addresses.size(); i++) {
            if (kinds.get(i) == PeerRecord.Kind.MAPPED) {
                return "mapped";
            }
            if (kinds.get(i) == PeerRecord.Kind.REFLEXIVE) {
                reflexive = true;
                outside |= !own.contains(addresses.get(i).getAddress());
            }
        }
        if (!reflexive) {
            return "unknown";
        }
        return outside ? "behind-nat" : "none";
    }
}
