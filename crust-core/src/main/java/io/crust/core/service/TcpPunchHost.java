package io.crust.core.service;

import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.connect.TcpPunch;
import io.crust.core.peer.PeerHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * What TCP punching needs from the node: the bind address and the handshake over a punched socket.
 *
 * <p>Threads: the punching task's; it holds no state of its own.
 */
final class TcpPunchHost implements TcpPunch.Tcp {
    private final InetAddress bindAddress;
    private final Handshakes handshakes;

    TcpPunchHost(InetAddress bindAddress, Handshakes handshakes) {
        this.bindAddress = bindAddress;
        this.handshakes = handshakes;
    }

    @Override
    public InetAddress bindAddress() {
        return bindAddress;
    }

    @Override
    public boolean hasGlobalIpv6() {
        return LocalAddresses.hasGlobalIpv6(bindAddress);
    }

    @Override
    public PeerHandle over(Socket socket, PeerId peer, InetSocketAddress remote) throws CrustException {
        return handshakes.overPunchedTcp(socket, peer, remote);
    }
}
