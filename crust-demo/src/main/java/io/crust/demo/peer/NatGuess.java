package io.crust.demo.peer;

import io.crust.core.ConnectionInfo;
import io.crust.core.PeerRecord;
import java.net.InetAddress;
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
        if (!info.ipsOf(Set.of(PeerRecord.Kind.MAPPED)).isEmpty()) {
            return "mapped";
        }
        Set<InetAddress> seen = info.ipsOf(Set.of(PeerRecord.Kind.REFLEXIVE));
        if (seen.isEmpty()) {
            return "unknown";
        }
        return info.ipsOf(Set.of(PeerRecord.Kind.HOST)).containsAll(seen) ? "none" : "behind-nat";
    }
}
