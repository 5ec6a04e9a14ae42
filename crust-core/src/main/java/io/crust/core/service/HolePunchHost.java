package io.crust.core.service;

import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.connect.HolePunch;
import io.crust.core.peer.PeerHandle;
import io.crust.nat.QueuedDatagramPort;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;

/**
 * What UDP hole punching needs from the node: datagram ports on the node's UDP socket, connected peers
 * as STUN servers, and crust-udt plus the handshake over a punched path.
 *
 * <p>Threads: the gathering and punching tasks'; it holds no state of its own.
 */
final class HolePunchHost implements HolePunch.Udp {
    private final UdtSide udt;
    private final Hellos hellos;

    HolePunchHost(UdtSide udt, Hellos hellos) {
        this.udt = udt;
        this.hellos = hellos;
    }

    /** Whether the node's UDP side runs, so that punching can use it. */
    boolean isRunning() {
        return udt.isRunning();
    }

    @Override
    public QueuedDatagramPort openPort() throws CrustException {
        return udt.openPort();
    }

    @Override
    public void closePort(QueuedDatagramPort port) {
        udt.closePort(port);
    }

    @Override
    public List<InetSocketAddress> stunServers() {
        return hellos.stunServers();
    }

    @Override
    public PeerHandle rendezvous(InetSocketAddress remote, PeerId peer, Duration timeout) throws CrustException {
        return udt.rendezvous(remote, peer, timeout);
    }

    @Override
    public PeerHandle rendezvousOwnSocket(DatagramChannel channel, InetSocketAddress remote, PeerId peer,
            Duration timeout) throws CrustException {
        return udt.rendezvousOwnSocket(channel, remote, peer, timeout);
    }
}
