package io.crust.core.service;

import io.crust.core.Identity;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.frame.FramePipe;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.ConnectionHandler;
import io.crust.core.peer.PeerConnection;
import io.crust.core.wire.WireCodec;
import io.crust.core.wire.WireMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Authenticated connections from {@code them} to {@code me} over in-memory pipes (a real Noise handshake,
 * no sockets), for tests of the node's bookkeeping. A connection is not started unless the test starts
 * it; {@link #close} closes every one.
 */
final class PipeConnections implements AutoCloseable {
    private static final HandshakeParams PARAMS = HandshakeParams.defaults("pipe-connections");

    final Identity me = Identity.generate();
    final Identity them = Identity.generate();
    final WireCodec codec = new WireCodec(1 << 20);
    private final LongSupplier nanoClock;
    private final Map<PeerConnection, CloseCause> closeCauses = new ConcurrentHashMap<>();
    private final ConnectionHandler handler = new ConnectionHandler() {
        @Override
        public void onMessage(PeerConnection connection, WireMessage message) {
        }

        @Override
        public void awaitTurn(PeerConnection connection) {
        }

        @Override
        public boolean mayDeliverNow(PeerConnection connection) {
            return true;
        }

        @Override
        public void onRemoteRetire(PeerConnection connection) {
        }

        @Override
        public void onClosed(PeerConnection connection, CloseCause cause) {
            closeCauses.put(connection, cause);
        }
    };
    private final List<PeerConnection> opened = new ArrayList<>();
    private final Map<PeerConnection, SecureChannel> remoteEnds = new IdentityHashMap<>();

    /** Connections on {@code nanoClock} whose handler only records how each one closed. */
    PipeConnections(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** A connection from {@code them}, dialled by us, not started. */
    PeerConnection open(Route route, Transport transport) throws Exception {
        return open(route, transport, me);
    }

    /** A connection from {@code them}, dialled by {@code initiator} (us or them), not started. */
    PeerConnection open(Route route, Transport transport, Identity initiator) throws Exception {
        FramePipe pipe = FramePipe.create(64 * 1024);
        CompletableFuture<SecureChannel> remote = CompletableFuture.supplyAsync(() -> {
            try {
                return SecureChannel.respond(pipe.b(), them, PARAMS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        SecureChannel channel = SecureChannel.initiate(pipe.a(), me, them.peerId(), PARAMS);
        PeerConnection c = new PeerConnection(channel, initiator.peerId(), route, transport,
                new InetSocketAddress("127.0.0.1", 40002), codec, 16, 1_000_000_000L, 1000, handler, nanoClock);
        opened.add(c);
        remoteEnds.put(c, remote.get(10, TimeUnit.SECONDS));
        return c;
    }

    /** Why {@code c} closed, as its handler was told (a connection never started is told by {@code close}); null if open. */
    CloseCause closeCause(PeerConnection c) {
        return closeCauses.get(c);
    }

    /** The next message {@code them} receives on {@code c} (blocks until one comes). */
    WireMessage receivedByThem(PeerConnection c) throws Exception {
        return codec.decode(remoteEnds.get(c).receive());
    }

    /** Ends a connection as its reader would: closed with {@code cause}, then taken out of the table. */
    static void end(PeerTable table, PeerConnection c, CloseCause cause) {
        c.close(cause);
        table.remove(c, cause);
    }

    @Override
    public void close() throws IOException {
        opened.forEach(c -> c.close(CloseCause.quiet("test over")));
        for (SecureChannel remote : remoteEnds.values()) {
            remote.close();
        }
    }
}
