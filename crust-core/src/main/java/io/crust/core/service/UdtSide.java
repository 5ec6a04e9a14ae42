package io.crust.core.service;

import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.peer.PeerHandle;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The crust-udt side of the node: one UDP socket for crust-udt connections and STUN answers.
 * Not available yet: crust-udt and its frame transport are still being written, so {@link #start}
 * reports that and the node runs on TCP alone.
 */
final class UdtSide {
    private final Node node;

    UdtSide(Node node) {
        this.node = node;
    }

    void start(CrustConfig config) throws CrustException {
        throw new CrustException("crust-udt transport is not available in this build yet");
    }

    boolean isRunning() {
        return false;
    }

    PeerHandle dial(InetSocketAddress address, PeerId expected, Route route, Duration timeout) throws CrustException {
        throw new CrustException("crust-udt transport is not available in this build yet");
    }

    void close() {
        // nothing is open
    }
}
