package io.crust.core.service;

import io.crust.core.Identity;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.frame.FramePipe;
import io.crust.core.frame.FrameTransport;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.ConnectionHandler;
import io.crust.core.peer.PeerConnection;
import io.crust.core.wire.WireCodec;
import io.crust.core.wire.WireMessage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
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
    private final Map<PeerConnection, CompletableFuture<CloseCause>> closeCauses = new ConcurrentHashMap<>();
    private final List<WireMessage> delivered = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch turns = new CountDownLatch(0);
    private final AtomicReference<CountDownLatch> holdAfterNextSend = new AtomicReference<>();
    private final AtomicReference<Runnable> releaseOnEndOfStream = new AtomicReference<>();
    private final ConnectionHandler handler = new ConnectionHandler() {
        @Override
        public void onMessage(PeerConnection connection, WireMessage message) {
            delivered.add(message);
        }

        @Override
        public void awaitTurn(PeerConnection connection) throws InterruptedException {
            turns.await();
        }

        @Override
        public boolean mayDeliverNow(PeerConnection connection) {
            return turns.getCount() == 0;
        }

        @Override
        public void onRemoteRetire(PeerConnection connection) {
        }

        @Override
        public void onClosed(PeerConnection connection, CloseCause cause) {
            closeCauseOf(connection).complete(cause);
        }
    };
    private final List<PeerConnection> opened = new ArrayList<>();
    private final List<PeerConnection> theirEnds = new ArrayList<>();
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
        SecureChannel channel = SecureChannel.initiate(new HeldSends(pipe.a()), me, them.peerId(), PARAMS);
        PeerConnection c = new PeerConnection(channel, initiator.peerId(), route, transport,
                new InetSocketAddress("127.0.0.1", 40002), codec, 16, 1_000_000_000L, 1000, handler, nanoClock);
        opened.add(c);
        remoteEnds.put(c, remote.get(10, TimeUnit.SECONDS));
        return c;
    }

    /**
     * The other end of {@code c} as {@code them} would hold it (not started, closed with the others),
     * for checks that both ends decide alike. Each call makes a new one: the order of the calls is the
     * order of registration at that end.
     */
    PeerConnection theirEnd(PeerConnection c) {
        PeerConnection theirs = new PeerConnection(remoteEnds.get(c), c.initiator(), c.route(), c.transport(),
                new InetSocketAddress("127.0.0.1", 40001), codec, 16, 1_000_000_000L, 1000, handler, nanoClock);
        theirEnds.add(theirs);
        return theirs;
    }

    /** Why {@code c} closed, as its handler was told (a connection never started is told by {@code close}); null if open. */
    CloseCause closeCause(PeerConnection c) {
        return closeCauseOf(c).getNow(null);
    }

    /** Why {@code c} closed, waiting up to 10 s for its handler to be told. */
    CloseCause awaitCloseCause(PeerConnection c) throws Exception {
        return closeCauseOf(c).get(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<CloseCause> closeCauseOf(PeerConnection c) {
        return closeCauses.computeIfAbsent(c, k -> new CompletableFuture<>());
    }

    /** The next message {@code them} receives on {@code c} (blocks until one comes). */
    WireMessage receivedByThem(PeerConnection c) throws Exception {
        return codec.decode(remoteEnds.get(c).receive());
    }

    /** Sends {@code message} from {@code them} on {@code c}. */
    void sendByThem(PeerConnection c, WireMessage message) throws IOException {
        remoteEnds.get(c).send(codec.encode(message));
    }

    /** Closes {@code them}'s end of {@code c}, as the peer closes its socket. */
    void closeByThem(PeerConnection c) throws IOException {
        remoteEnds.get(c).close();
    }

    /**
     * Waits up to 10 s until {@code c} is closed: its reader has decided how it ends, though what waits
     * for the connection's turn may not be handed over yet. (The channel closing is no such sign: the
     * channel closes itself when it reads the end of the stream.)
     */
    void awaitClosed(PeerConnection c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.isOpen()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(c + " still open after 10 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * From now on, no connection may deliver a message the moment it arrives: each waits for its turn
     * (as behind an older connection of the same peer) until {@code giveTurns}.
     */
    void holdTurns() {
        turns = new CountDownLatch(1);
    }

    void giveTurns() {
        turns.countDown();
    }

    /** The messages connections handed over to the node, in order. */
    List<WireMessage> delivered() {
        return delivered;
    }

    /**
     * The next frame any of our connections sends reaches them, but the sending thread does not return
     * from the send until {@code release} counts down: a writer descheduled right after a send.
     */
    void holdAfterNextSend(CountDownLatch release) {
        holdAfterNextSend.set(release);
    }

    /**
     * Once any of our connections reads the end of the stream, counts {@code release} down {@code after}
     * that: a writer held by {@link #holdAfterNextSend} comes back while the reader decides how the
     * connection ended.
     */
    void releaseAfterEndOfStream(CountDownLatch release, Duration after) {
        releaseOnEndOfStream.set(() -> Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(after);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        }));
    }

    /** Ends a connection as its reader would: closed with {@code cause}, then taken out of the table. */
    static void end(PeerTable table, PeerConnection c, CloseCause cause) {
        c.close(cause);
        table.remove(c, cause);
    }

    /** Our end of a pipe, whose next send can be held after the frame went out (see {@link #holdAfterNextSend}). */
    private final class HeldSends implements FrameTransport {
        private final FrameTransport pipeEnd;

        HeldSends(FrameTransport pipeEnd) {
            this.pipeEnd = pipeEnd;
        }

        @Override
        public void writeFrame(byte[] frame, int offset, int length) throws IOException {
            pipeEnd.writeFrame(frame, offset, length);
            CountDownLatch release = holdAfterNextSend.getAndSet(null);
            if (release != null) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("held send interrupted");
                }
            }
        }

        @Override
        public byte[] readFrame() throws IOException {
            try {
                return pipeEnd.readFrame();
            } catch (EOFException e) {
                Runnable onEnd = releaseOnEndOfStream.getAndSet(null);
                if (onEnd != null) {
                    onEnd.run();
                }
                throw e;
            }
        }

        @Override
        public int maxFrameBytes() {
            return pipeEnd.maxFrameBytes();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return pipeEnd.remoteAddress();
        }

        @Override
        public void close() throws IOException {
            pipeEnd.close();
        }
    }

    @Override
    public void close() throws IOException {
        opened.forEach(c -> c.close(CloseCause.quiet("test over")));
        theirEnds.forEach(c -> c.close(CloseCause.quiet("test over")));
        for (SecureChannel remote : remoteEnds.values()) {
            remote.close();
        }
    }
}
