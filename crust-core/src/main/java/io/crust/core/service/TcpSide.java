package io.crust.core.service;

import io.crust.core.CrustEvent;
import io.crust.core.PeerId;
import io.crust.core.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP side of the node: one listening socket whose accepted connections go to the handshakes.
 * Dials are the {@link Handshakes}' and the {@link Dialer}'s.
 *
 * <p>Threads: {@code crust-tcp-accept-PORT}, owned by the node, runs the accept loop; {@link #close}
 * closes the socket, which ends it.
 */
final class TcpSide {
    private static final Logger LOG = LoggerFactory.getLogger(TcpSide.class);
    private static final int BACKLOG = 128;

    private final PeerId self;
    private final Handshakes handshakes;
    private final Addresses addresses;
    private final EventQueue events;
    private final ThreadOwner threads;
    private volatile ServerSocket server;

    TcpSide(PeerId self, Handshakes handshakes, Addresses addresses, EventQueue events, ThreadOwner threads) {
        this.self = self;
        this.handshakes = handshakes;
        this.addresses = addresses;
        this.events = events;
        this.threads = threads;
    }

    /** Binds {@code wanted} and starts accepting. */
    void start(InetSocketAddress wanted) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(wanted, BACKLOG);
        } catch (IOException e) {
            closeQuietly(s);
            throw e;
        }
        server = s;
        InetSocketAddress bound = (InetSocketAddress) s.getLocalSocketAddress();
        addresses.tcpBound(bound);
        threads.start("crust-tcp-accept-" + bound.getPort(), () -> acceptLoop(s));
        events.putUninterruptibly(new CrustEvent.ListenerStarted(Transport.TCP, LocalAddresses.connectable(bound)));
        LOG.info("{} listening on TCP {}", self.shortForm(), bound);
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket socket = s.accept();
                handshakes.acceptTcp(socket);
            } catch (IOException e) {
                if (!s.isClosed()) {
                    LOG.warn("TCP accept failed: {}", e.toString());
                    events.putUninterruptibly(new CrustEvent.ListenerFailed(Transport.TCP,
                            (InetSocketAddress) s.getLocalSocketAddress(), e.getMessage()));
                }
                return;
            }
        }
    }

    void close() {
        ServerSocket s = server;
        if (s != null) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.trace("close failed: {}", e.toString());
        }
    }
}
