package io.crust.udt.transport;

import io.crust.udt.EndpointStats;
import io.crust.udt.ForeignDatagramHandler;
import io.crust.udt.SocketBuffers;
import io.crust.udt.UdtConfig;
import io.crust.udt.UdtException;
import io.crust.udt.connection.ConnectionState;
import io.crust.udt.packet.DataHeader;
import io.crust.udt.packet.Frames;
import io.crust.udt.packet.InitialPacket;
import io.crust.udt.packet.MalformedPacketException;
import io.crust.udt.packet.PacketType;
import io.crust.udt.packet.RetryPacket;
import io.crust.udt.packet.VersionPacket;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket side of an endpoint: one UDP socket, one receive loop (platform thread
 * {@code crust-udt-recv-<port>}) that routes every datagram by its first byte and connection id, the
 * stateless handshake responder, and the table of live connections. Nothing a datagram contains can
 * end the loop: every failure is counted and the loop reads on.
 *
 * <p>Unless the socket is a channel handed to the endpoint, an application thread waiting for a message may
 * read the socket in the receive thread's place ({@link SocketTurn}); whoever holds the turn handles every datagram it reads, so the
 * fields marked "turn holder only" are used by one thread at a time.
 */
public final class Demultiplexer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Demultiplexer.class);
    /** Idle queue buffers kept: small ones for a whole connection queue's worth, large ones for a few. */
    private static final int RETAINED_SMALL_BUFFERS = 1024;
    private static final int RETAINED_LARGE_BUFFERS = 32;
    private static final int MAX_ENDED = 4096;
    private static final long ACCEPT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long close waits for the connections' threads, per sweep. */
    private static final long CLOSE_JOIN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** A nudge's one byte: not a crust-udt first byte (see {@link PacketType#isCrustUdt}). */
    private static final byte[] NUDGE = {0x00};

    /** The socket (a {@code DatagramSocket}, or a {@code DatagramChannel} handed to the endpoint), closed last. */
    private final Closeable socket;
    private final UdtConfig config;
    private final InetSocketAddress localAddress;
    private final BufferPool pool;
    /** How datagrams go through the socket: the JDK's socket or channel calls, or the Linux fast path. */
    private final DatagramIo io;
    /** Whose turn it is to read the socket: the receive thread, or a waiting reader. */
    private final SocketTurn turn = new SocketTurn();
    /** The one batch of receive buffers, used by the turn's holder (turn holder only). */
    private final ReceivedBatch batch;
    /** Where a nudge goes: this socket's own address (loopback for a wildcard bind). */
    private final InetSocketAddress selfAddress;
    /** Connections that took datagrams of the current batch and have not sent yet (turn holder only). */
    private ConnectionDriver[] batchDrivers;
    private int batchDriverCount;
    private final SecureRandom random = new SecureRandom();
    private final HandshakeCookies cookies = new HandshakeCookies(random);
    private final ConnectionTable<ConnectionDriver> connections = new ConnectionTable<>();
    private final Map<HandshakeKey, ConnectionDriver> accepted = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, ConnectionDriver> rendezvous = new ConcurrentHashMap<>();
    /**
     * Handshakes of accepted connections that have ended, kept while their cookie could still be valid:
     * a late copy of the client's INITIAL must not open (and hand to accept()) the same connection a
     * second time. Insertion order is time order; bounded by {@link #MAX_ENDED}.
     */
    private final LinkedHashMap<HandshakeKey, Long> ended = new LinkedHashMap<>();
    private final ReentrantLock endedLock = new ReentrantLock();
    private final ArrayBlockingQueue<ConnectionDriver> acceptQueue;
    private final ByteBuffer reply;
    private volatile ForeignDatagramHandler foreignHandler;
    private volatile boolean closed;
    /** The socket refused a reader's read as closed: readers wait to be handed their messages again. */
    private volatile boolean socketFailed;
    private Thread receiveThread;
    private SocketBuffers socketBuffers;
    private static final AtomicBoolean CAP_REPORTED = new AtomicBoolean();

    private final LongAdder datagramsIn = new LongAdder();
    private final LongAdder datagramsInByReaders = new LongAdder();
    private final LongAdder datagramsOut = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder unknownConnection = new LongAdder();
    private final LongAdder wrongSource = new LongAdder();
    private final LongAdder replayed = new LongAdder();
    private final LongAdder queueFull = new LongAdder();
    private final LongAdder handshakesRejected = new LongAdder();

    private record HandshakeKey(InetSocketAddress client, long clientConnectionId) {
    }

    private Demultiplexer(Closeable socket, InetSocketAddress localAddress, DatagramIo io, UdtConfig config)
            throws IOException {
        this.socket = socket;
        this.config = config;
        this.localAddress = localAddress;
        // One byte more than the largest datagram we accept, so an oversized one is seen, not truncated.
        this.pool = new BufferPool(config.maxPayloadBytes() + 1, RETAINED_SMALL_BUFFERS, RETAINED_LARGE_BUFFERS);
        this.io = io;
        this.batch = new ReceivedBatch(io, config.maxPayloadBytes() + 1);
        this.reply = io.allocate(64);
        this.batchDrivers = new ConnectionDriver[io.receiveBatchSize()];
        this.selfAddress = localAddress.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress(localAddress.getAddress() instanceof java.net.Inet6Address
                        ? InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
                        : InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), localAddress.getPort())
                : localAddress;
        this.acceptQueue = new ArrayBlockingQueue<>(config.maxPendingHandshakes());
    }

    /** Configures a bound channel handed to the endpoint and starts the receive loop. */
    public static Demultiplexer start(DatagramChannel channel, UdtConfig config) throws IOException {
        if (channel.getLocalAddress() == null) {
            throw new UdtException("the channel must be bound");
        }
        channel.configureBlocking(true);
        // The channel's socket adaptor sets and reads the channel's own options.
        SocketBuffers buffers = configure(channel.socket(), config);
        DatagramIo io = DatagramIo.open(channel, config.maxPayloadBytes() + 1, config.fastPath());
        return startOn(channel, (InetSocketAddress) channel.getLocalAddress(), io, buffers, config);
    }

    /** Configures a bound socket the endpoint opened and starts the receive loop. */
    public static Demultiplexer start(DatagramSocket socket, UdtConfig config) throws IOException {
        if (!socket.isBound()) {
            throw new UdtException("the socket must be bound");
        }
        // A DatagramSocket turns broadcast on by itself; a channel leaves it off. Off: an address a peer
        // gave us must not make this socket send to a whole network.
        trySet(socket, StandardSocketOptions.SO_BROADCAST, false);
        SocketBuffers buffers = configure(socket, config);
        DatagramIo io = DatagramIo.open(socket, config.maxPayloadBytes() + 1, config.fastPath());
        return startOn(socket, (InetSocketAddress) socket.getLocalSocketAddress(), io, buffers, config);
    }

    private static Demultiplexer startOn(Closeable socket, InetSocketAddress local, DatagramIo io,
            SocketBuffers buffers, UdtConfig config) throws IOException {
        Demultiplexer d = new Demultiplexer(socket, local, io, config);
        d.socketBuffers = buffers;
        // A platform thread: it blocks in the kernel's recvfrom directly, without the virtual-thread
        // poller's hand-offs, and it runs the connections' state machines (see ConnectionDriver).
        d.receiveThread = Thread.ofPlatform().daemon().name("crust-udt-recv-" + d.localAddress.getPort())
                .start(d::receiveLoop);
        return d;
    }

    /** Asks for the configured buffer sizes, reads back what the kernel granted, and turns off fragmentation. */
    private static SocketBuffers configure(DatagramSocket socket, UdtConfig config) {
        trySet(socket, StandardSocketOptions.SO_RCVBUF, config.socketBufferBytes());
        trySet(socket, StandardSocketOptions.SO_SNDBUF, config.socketBufferBytes());
        SocketBuffers buffers = new SocketBuffers(config.socketBufferBytes(),
                read(socket, StandardSocketOptions.SO_RCVBUF), read(socket, StandardSocketOptions.SO_SNDBUF));
        if (buffers.capped() && !CAP_REPORTED.getAndSet(true)) {
            LOG.info("the kernel capped the UDP socket buffers at {} bytes received, {} sent, of {} asked for: "
                    + "raise net.core.rmem_max and net.core.wmem_max for fast paths (reported once)",
                    buffers.receiveBytes(), buffers.sendBytes(), buffers.requestedBytes());
        }
        // Path MTU probing needs datagrams that are dropped rather than fragmented when too large.
        trySet(socket, jdk.net.ExtendedSocketOptions.IP_DONTFRAGMENT, true);
        return buffers;
    }

    private static int read(DatagramSocket socket, SocketOption<Integer> option) {
        try {
            return socket.getOption(option);
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static <T> void trySet(DatagramSocket socket, SocketOption<T> option, T value) {
        try {
            if (socket.supportedOptions().contains(option)) {
                socket.setOption(option, value);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("socket option {} not set: {}", option, e.toString());
        }
    }

    UdtConfig config() {
        return config;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public void setForeignHandler(ForeignDatagramHandler handler) {
        this.foreignHandler = handler;
    }

    // ------------------------------------------------------------------ receive loop

    private void receiveLoop() {
        while (!closed && turn.awaitReceiveThreadTurn()) {
            try {
                handle(io.receive(batch));
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                LOG.debug("receive failed: {}", e.toString()); // e.g. ICMP port unreachable reported late
            } finally {
                turn.afterReceiveThreadBatch(); // only now: the batch's buffers are free again
            }
        }
    }

    /**
     * A reader that took the turn ({@link #tryTakeTurn}) reads and handles datagrams until
     * {@code driver} no longer needs it to wait, then lets the turn go. Returns early, for the caller to
     * look at its connection again, when the socket is closed or failed; throws when the thread was
     * interrupted (seen within the socket's receive timeout, about a second).
     */
    void readWhileWaiting(ConnectionDriver driver) throws InterruptedIOException {
        try {
            while (!closed && driver.readerWaiting()) {
                int n = io.receiveOrTimeout(batch);
                if (n > 0) {
                    datagramsInByReaders.add(handle(n));
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted");
                }
            }
        } catch (InterruptedIOException e) {
            throw e;
        } catch (ClosedChannelException e) {
            // Closed under the endpoint (or closing): no reader reads it again, and waits are signalled.
            socketFailed = true;
        } catch (IOException e) {
            LOG.debug("receive failed: {}", e.toString()); // e.g. an ICMP error reported late
        } finally {
            turn.release();
        }
    }

    /**
     * Whether the calling thread, about to wait for a message, may read the socket itself: a path that
     * allows it ({@link DatagramIo#readerMayLead}: not a channel handed to the endpoint), a platform thread (a virtual thread's blocking native call would pin its carrier), and nobody else
     * holding the turn. If the receive thread holds it, the caller asks for it and nudges the socket:
     * the receive thread gives the turn up after that batch and wakes the caller, which then waits to
     * be handed its message and on its next look takes the turn.
     */
    boolean tryTakeTurn(SocketTurn.Reader reader) {
        if (!io.readerMayLead() || closed || socketFailed || Thread.currentThread().isVirtual()) {
            return false;
        }
        SocketTurn.Take take = turn.tryTake(reader);
        if (take == SocketTurn.Take.ASKED) {
            nudgeSocket();
        }
        return take == SocketTurn.Take.TAKEN;
    }

    /**
     * Makes whoever reads the socket return from its read: a reader there whose need another thread
     * met, or the receive thread that a reader asked for the turn. One byte to this socket's own
     * address, dropped by whoever reads it.
     */
    void nudgeSocket() {
        try {
            io.send(ByteBuffer.wrap(NUDGE), selfAddress); // not counted: not traffic
        } catch (IOException e) {
            LOG.debug("nudge failed: {}", e.toString()); // closed: the reader returns anyway
        }
    }

    private boolean isNudge(ByteBuffer datagram, InetSocketAddress from) {
        return datagram.remaining() == 1 && datagram.get(datagram.position()) == NUDGE[0] && selfAddress.equals(from);
    }

    /** Runs the {@code n} datagrams of {@link #batch} through routing and sends what they produced. */
    private int handle(int n) {
        long now = System.nanoTime();
        int datagrams = 0;
        for (int i = 0; i < n; i++) {
            ByteBuffer buffer = batch.datagrams[i];
            int segment = batch.segmentBytes[i];
            if (isNudge(buffer, batch.sources[i])) {
                continue; // it has done its job by arriving (see nudgeSocket); not traffic
            }
            if (segment == 0 || buffer.remaining() <= segment) {
                datagrams++;
                dispatchOrDrop(buffer, batch.sources[i], now, n > 1);
                continue;
            }
            // Several datagrams the kernel joined: each is a datagram of its own to the protocol.
            for (int at = 0; at < buffer.limit(); at += segment) {
                datagrams++;
                dispatchOrDrop(buffer.slice(at, Math.min(segment, buffer.limit() - at)), batch.sources[i], now, true);
            }
        }
        datagramsIn.add(datagrams);
        flushBatch();
        return datagrams;
    }

    private void dispatchOrDrop(ByteBuffer datagram, InetSocketAddress from, long now, boolean inBatch) {
        try {
            dispatch(datagram, from, now, inBatch);
        } catch (RuntimeException e) {
            malformed.increment();
            LOG.debug("datagram from {} dropped: {}", from, e.toString());
        }
    }

    /** Lets each connection that took part of a batch send what it produced; see {@link ConnectionDriver#flushAfterBatch}. */
    private void flushBatch() {
        for (int i = 0; i < batchDriverCount; i++) {
            batchDrivers[i].flushAfterBatch();
            batchDrivers[i] = null;
        }
        batchDriverCount = 0;
    }

    private void rememberForFlush(ConnectionDriver driver) {
        for (int i = 0; i < batchDriverCount; i++) {
            if (batchDrivers[i] == driver) {
                return;
            }
        }
        if (batchDriverCount == batchDrivers.length) {
            // Joined datagrams from one source can belong to more connections than a batch has buffers.
            batchDrivers = java.util.Arrays.copyOf(batchDrivers, batchDrivers.length * 2);
        }
        batchDrivers[batchDriverCount++] = driver;
    }

    /** Routes one datagram; the buffer is free again when this returns. */
    private boolean dispatch(ByteBuffer datagram, InetSocketAddress from, long now, boolean inBatch) {
        if (!datagram.hasRemaining()) {
            malformed.increment();
            return false;
        }
        int first = datagram.get(0) & 0xFF;
        if (!PacketType.isCrustUdt(first)) {
            foreign.increment();
            ForeignDatagramHandler handler = foreignHandler;
            if (handler != null) {
                try {
                    handler.onDatagram(datagram, from);
                } catch (RuntimeException e) {
                    LOG.warn("foreign datagram handler failed", e);
                }
            }
            return false;
        }
        if (datagram.remaining() > config.maxPayloadBytes()) {
            malformed.increment();
            return false;
        }
        return switch (PacketType.typeOf(first)) {
            case PacketType.DATA -> datagram.remaining() > DataHeader.BYTES
                    ? deliver(DataHeader.destinationConnectionId(datagram), datagram, from, now, inBatch)
                    : countMalformed();
            case PacketType.RETRY, PacketType.ACCEPT, PacketType.VERSION -> datagram.remaining() >= 12
                    ? deliver(datagram.getLong(4), datagram, from, now, inBatch) : countMalformed();
            case PacketType.INITIAL -> onInitial(datagram, from);
            default -> countMalformed();
        };
    }

    private boolean countMalformed() {
        malformed.increment();
        return false;
    }

    private boolean deliver(long connectionId, ByteBuffer datagram, InetSocketAddress from, long now, boolean inBatch) {
        ConnectionDriver driver = connections.get(connectionId);
        if (driver == null) {
            unknownConnection.increment();
            return false;
        }
        return deliverTo(driver, datagram, from, now, inBatch);
    }

    private boolean deliverTo(ConnectionDriver driver, ByteBuffer datagram, InetSocketAddress from, long now,
                              boolean inBatch) {
        if (!driver.remoteAddress().equals(from)) {
            // The peer may be behind a NAT that gave it a new address: the connection validates it.
            if (!driver.onDatagramFrom(datagram, from)) {
                wrongSource.increment();
                return false;
            }
            return true;
        }
        if (!driver.onDatagram(datagram, now, inBatch)) {
            queueFull.increment();
            return false;
        }
        if (inBatch) {
            rememberForFlush(driver);
        }
        return true;
    }

    private boolean onInitial(ByteBuffer datagram, InetSocketAddress from) {
        InitialPacket initial;
        try {
            if (InitialPacket.peekVersion(datagram) != PacketType.PROTOCOL_VERSION) {
                if (datagram.remaining() >= InitialPacket.MIN_BYTES) {
                    handshakesRejected.increment();
                    sendReply(from, out -> new VersionPacket(datagram.getLong(4),
                            new byte[] {PacketType.PROTOCOL_VERSION}).encodeTo(out));
                } else {
                    malformed.increment();
                }
                return false;
            }
            initial = InitialPacket.decode(datagram);
        } catch (MalformedPacketException e) {
            malformed.increment();
            return false;
        }
        long now = System.nanoTime();
        long clientId = initial.sourceConnectionId();
        ConnectionDriver pendingRendezvous = rendezvous.get(from);
        if (initial.rendezvous()) {
            if (pendingRendezvous == null || pendingRendezvous.localId() <= clientId) {
                return false; // not expected, or the peer answers our INITIALs instead
            }
        } else {
            pendingRendezvous = null;
        }
        if (initial.cookie().length == 0 || !cookies.verify(initial.cookie(), from, clientId, now)) {
            if (initial.cookie().length != 0) {
                handshakesRejected.increment();
            }
            byte[] cookie = cookies.mint(from, clientId, now);
            sendReply(from, out -> new RetryPacket(PacketType.PROTOCOL_VERSION, clientId, cookie).encodeTo(out));
            return false;
        }
        if (pendingRendezvous != null) {
            return deliverTo(pendingRendezvous, datagram, from, System.nanoTime(), false);
        }
        HandshakeKey key = new HandshakeKey(from, clientId);
        ConnectionDriver existing = accepted.get(key);
        if (existing != null) {
            return deliverTo(existing, datagram, from, System.nanoTime(), false); // our ACCEPT was lost: the connection resends it
        }
        if (endedRecently(key, now)) {
            // Tell the client, in fewer bytes than its INITIAL, that this connection is over.
            handshakesRejected.increment();
            sendReply(from, out -> {
                DataHeader.encode(out, clientId, 0);
                Frames.encodeClose(out, Frames.CLOSE_ABORTED);
            });
            return false;
        }
        if (closed || acceptQueue.remainingCapacity() == 0) {
            handshakesRejected.increment();
            return false;
        }
        long localId = newConnectionId();
        ConnectionState state = ConnectionState.server(config, localId, clientId, from, now, randomPacketNumber());
        ConnectionDriver driver = newDriver(from, state);
        accepted.put(key, driver);
        register(localId, driver);
        if (!acceptQueue.offer(driver)) {
            driver.abort();
        }
        return false;
    }

    private interface Encoder {
        void encode(ByteBuffer out);
    }

    private void sendReply(InetSocketAddress to, Encoder encoder) {
        reply.clear();
        encoder.encode(reply);
        reply.flip();
        try {
            send(reply, to);
        } catch (IOException e) {
            LOG.debug("handshake reply to {} failed: {}", to, e.toString());
        }
    }

    // ------------------------------------------------------------------ used by connections and the API

    void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        io.send(datagram, to);
        datagramsOut.increment();
    }

    /** Sends {@code count} datagrams of {@code segmentBytes} (the last maybe shorter) in one call; see {@link DatagramIo}. */
    void sendSegments(ByteBuffer datagrams, int segmentBytes, InetSocketAddress to, int count) throws IOException {
        io.sendSegments(datagrams, segmentBytes, to);
        datagramsOut.add(count);
    }

    /** A send buffer of this endpoint's datagram path (see {@link DatagramIo#allocate}). */
    ByteBuffer allocate(int bytes) {
        return io.allocate(bytes);
    }

    /** How many same-size datagrams {@link #sendSegments} takes at once; 1 without the fast path. */
    int maxSegments() {
        return io.maxSegments();
    }

    /** The datagram path in use: "jdk", "jdk-channel" or "linux-gso" (see {@link DatagramIo}). */
    public String datagramPath() {
        return io.name();
    }

    /** Sends a datagram of another protocol from this socket. */
    public void sendRaw(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        if (datagram.remaining() > UdtConfig.MAX_UDP_PAYLOAD_BYTES) {
            throw new UdtException("datagram of " + datagram.remaining() + " bytes is larger than UDP allows");
        }
        send(datagram, to);
    }

    /** A copy of a datagram for a connection's queue; give it back with {@link #releaseBuffer}. */
    ByteBuffer copyForQueue(ByteBuffer datagram) {
        return pool.copyOf(datagram);
    }

    void releaseBuffer(ByteBuffer buffer) {
        pool.release(buffer);
    }

    void count(ConnectionState.Verdict verdict) {
        switch (verdict) {
            case MALFORMED -> malformed.increment();
            case DUPLICATE -> replayed.increment();
            default -> {
            }
        }
    }

    void unregister(ConnectionDriver driver) {
        connections.remove(driver.localId(), driver);
        HandshakeKey key = new HandshakeKey(driver.handshakeAddress(), driver.peerIdAtStart());
        if (accepted.remove(key, driver)) {
            rememberEnded(key, System.nanoTime());
        }
        rendezvous.remove(driver.handshakeAddress(), driver);
    }

    private void rememberEnded(HandshakeKey key, long nowNanos) {
        endedLock.lock();
        try {
            forgetOldEnded(nowNanos);
            if (ended.size() >= MAX_ENDED) {
                ended.pollFirstEntry();
            }
            ended.put(key, nowNanos);
        } finally {
            endedLock.unlock();
        }
    }

    private boolean endedRecently(HandshakeKey key, long nowNanos) {
        endedLock.lock();
        try {
            forgetOldEnded(nowNanos);
            return ended.containsKey(key);
        } finally {
            endedLock.unlock();
        }
    }

    private void forgetOldEnded(long nowNanos) {
        Map.Entry<HandshakeKey, Long> eldest;
        while ((eldest = ended.firstEntry()) != null && nowNanos - eldest.getValue() > HandshakeCookies.VALIDITY_NANOS) {
            ended.pollFirstEntry();
        }
    }

    private ConnectionDriver newDriver(InetSocketAddress remote, ConnectionState state) {
        return new ConnectionDriver(this, remote, state, config.maxPayloadBytes(), config.maxMessageBytes(),
                config.closeTimeout().toNanos());
    }

    private long newConnectionId() {
        long id;
        do {
            id = random.nextLong();
        } while (id == 0 || connections.containsKey(id));
        return id;
    }

    private long randomPacketNumber() {
        return random.nextLong(1L << 32);
    }

    /** Opens a connection (or a rendezvous) and waits for its handshake. */
    public ConnectionDriver connect(InetSocketAddress remote, long timeoutNanos, boolean rendezvousMode)
            throws IOException {
        if (closed) {
            throw new UdtException("endpoint is closed");
        }
        if (remote.isUnresolved()) {
            throw new UdtException("unresolved address " + remote);
        }
        long localId = newConnectionId();
        ConnectionState state = ConnectionState.client(config, localId, rendezvousMode, remote, System.nanoTime(),
                randomPacketNumber());
        ConnectionDriver driver = newDriver(remote, state);
        if (rendezvousMode) {
            rendezvous.put(remote, driver);
        }
        register(localId, driver);
        driver.awaitEstablished(timeoutNanos);
        return driver;
    }

    /** Waits for the next accepted connection; null on timeout. */
    public ConnectionDriver accept(long timeoutNanos) throws IOException {
        if (closed) {
            throw new UdtException("endpoint is closed");
        }
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            // Waits in slices so that close() ends a blocked accept within one slice.
            while (true) {
                long left = deadline - System.nanoTime();
                ConnectionDriver driver = acceptQueue.poll(Math.min(Math.max(left, 0), ACCEPT_SLICE_NANOS),
                        TimeUnit.NANOSECONDS);
                if (driver != null || left <= ACCEPT_SLICE_NANOS) {
                    if (driver == null && closed) {
                        throw new UdtException("endpoint is closed");
                    }
                    return driver;
                }
                if (closed) {
                    throw new UdtException("endpoint is closed");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while accepting");
        }
    }

    /** The socket buffer sizes asked for and granted. */
    public SocketBuffers socketBuffers() {
        return socketBuffers;
    }

    public boolean isClosed() {
        return closed;
    }

    public EndpointStats stats() {
        return new EndpointStats(datagramsIn.sum(), datagramsInByReaders.sum(), datagramsOut.sum(), foreign.sum(), malformed.sum(),
                unknownConnection.sum(), wrongSource.sum(), replayed.sum(), queueFull.sum(),
                handshakesRejected.sum(), connections.size());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ConnectionDriver> open = connections.values();
        abortAndJoin(open, System.nanoTime() + CLOSE_JOIN_NANOS);
        ConnectionDriver queued;
        while ((queued = acceptQueue.poll()) != null) {
            queued.abort();
        }
        turn.close();
        io.wakeReceiver();
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing the socket failed: {}", e.toString());
        }
        try {
            receiveThread.join(java.time.Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // A handshake handled while the first sweep ran (by the receive thread, or by a reader that held
        // the socket's turn) may have registered a connection after it: a second sweep, which also waits
        // again for threads of the first that had not ended yet. A connection that registers after this
        // one sees the closed flag and ends itself (register).
        Set<ConnectionDriver> all = new LinkedHashSet<>(open);
        all.addAll(connections.values());
        abortAndJoin(all, System.nanoTime() + CLOSE_JOIN_NANOS);
    }

    /**
     * Aborts the connections first and then joins their threads, so that they all wind down at once
     * and one slow thread does not use up the others' share of the deadline.
     */
    private static void abortAndJoin(Collection<ConnectionDriver> drivers, long deadline) {
        for (ConnectionDriver driver : drivers) {
            driver.abortForEndpoint("the endpoint was closed");
        }
        for (ConnectionDriver driver : drivers) {
            driver.join(Math.max(1, deadline - System.nanoTime()));
        }
    }

    /** Adds a new connection to the table and starts it; ended at once if the endpoint closed meanwhile. */
    private void register(long localId, ConnectionDriver driver) {
        connections.put(localId, driver);
        driver.start();
        if (closed) {
            abortAndJoin(List.of(driver), System.nanoTime() + CLOSE_JOIN_NANOS);
        }
    }
}
