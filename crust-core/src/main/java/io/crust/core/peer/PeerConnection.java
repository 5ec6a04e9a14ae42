package io.crust.core.peer;

import io.crust.core.jfr.ConnectionLostEvent;
import io.crust.core.jfr.ConnectionEstablishedEvent;
import io.crust.core.CrustEvent.PeerLost;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.Priority;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.frame.FrameTooLargeException;
import io.crust.core.handshake.ChannelProtocolException;
import io.crust.core.handshake.DecryptionException;
import io.crust.core.handshake.MessageTooLargeException;
import io.crust.core.handshake.ResumeOffer;
import io.crust.core.handshake.SecureChannel;
import io.crust.core.wire.WireCodec;
import io.crust.core.wire.WireFormatException;
import io.crust.core.wire.WireMessage;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated connection to a peer: a secure channel, a reader thread and a writer thread.
 *
 * <p>The reader ({@code crust-peer-N-read}) runs a straight loop: receive a message, check the rate
 * limit, decode, hand it to the {@link ConnectionHandler}. The writer ({@code crust-peer-N-write})
 * takes encoded messages from the {@link SendQueue} and sends them. Both belong to this object: closing
 * it closes the channel, which unblocks the reader, and closes the queue, which unblocks the writer.
 * The first failure on either side decides the {@link CloseCause}.
 *
 * <p>Retiring (duplicate settling, see docs/connection-group.md): the queue is sealed, the writer
 * drains it and sends RETIRE last; the reader keeps delivering until the remote's RETIRE arrives. The
 * connection closes quietly once both RETIREs have passed. A newer connection's messages wait in a
 * {@link PendingDelivery} until the older ones have delivered theirs; its reader keeps reading
 * meanwhile, so the heartbeat check sees exactly what the peer sends.
 */
public final class PeerConnection {
    private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);
    private static final AtomicLong SERIAL = new AtomicLong();

    private static final long GOODBYE_WAIT_MILLIS = 500;
    /** Bytes of messages that may wait for the connection's turn before the reader stops reading. */
    private static final long MAX_PENDING_BYTES = 4L << 20;
    /** The reader acknowledges delivered APP messages at least every this many (resumption)... */
    static final int ACK_EVERY_MESSAGES = 64;
    /** ...or this many payload bytes, and at every heartbeat when behind. */
    static final long ACK_EVERY_BYTES = 256 << 10;

    private final long serial = SERIAL.incrementAndGet();
    private final LongSupplier nanoClock;
    private final long createdNanos;
    private final SecureChannel channel;
    private final PeerId remote;
    private final PeerId initiator;
    private final Route route;
    private final Transport transport;
    private final InetSocketAddress remoteAddress;
    private final WireCodec codec;
    private final SendQueue queue;
    private final RateLimiter rateLimiter;
    private final ConnectionHandler handler;
    private final PendingDelivery pending;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean retiring = new AtomicBoolean();
    private volatile boolean retireSending;
    private volatile boolean retireSent;
    /** The peer's RETIRE was read off the channel; {@link #retireReceived} once it is handled, in turn. */
    private volatile boolean retireRead;
    private volatile boolean retireReceived;
    private volatile CloseCause cause;
    private volatile long lastReceivedNanos;
    private volatile long lastSentNanos;
    private volatile boolean delivering;
    private volatile boolean carriedApplicationData;
    private volatile boolean sentApplicationData;
    private volatile Thread reader;
    private volatile Thread writer;
    /** APP messages of the peer handed to the application (the reader or the turn thread, one at a time). */
    private volatile long appDelivered;
    /** Set when this connection's application messages must be dropped, not delivered (see {@link #discardDeliveries}). */
    private volatile boolean deliveriesDiscarded;
    /** Something arrived: the peer registered this connection (it starts sending only then, HELLO first). */
    private volatile boolean heardFromPeer;
    private volatile long lastAckSent;
    private long bytesSinceAck;

    /**
     * @param initiator the peer that dialled this connection: the duplicate rule uses it
     * @param nanoClock the node's clock ({@code System::nanoTime}) for everything this connection times:
     *        its creation, the last sign of life, rate limits, message ages; its waits run on real time
     */
    public PeerConnection(SecureChannel channel, PeerId initiator, Route route, Transport transport,
            InetSocketAddress remoteAddress, WireCodec codec, int sendQueueMessages, long lowMaxAgeNanos,
            int messagesPerSecond, ConnectionHandler handler, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.createdNanos = nanoClock.getAsLong();
        this.channel = channel;
        this.remote = channel.remotePeer();
        this.initiator = initiator;
        this.route = route;
        this.transport = transport;
        this.remoteAddress = remoteAddress;
        this.codec = codec;
        this.queue = new SendQueue(sendQueueMessages, lowMaxAgeNanos);
        this.rateLimiter = new RateLimiter(messagesPerSecond, createdNanos);
        this.handler = handler;
        this.pending = new PendingDelivery("crust-peer-" + serial + "-turn", MAX_PENDING_BYTES, handler, this,
                message -> handle(message, false));
        this.lastReceivedNanos = createdNanos;
        this.lastSentNanos = createdNanos;
    }

    /** Starts the reader and writer threads. Messages may be queued before. */
    public void start() {
        ConnectionEstablishedEvent established = new ConnectionEstablishedEvent();
        if (established.isEnabled()) {
            established.peer = remote.toString();
            established.route = route.name();
            established.transport = transport.name();
            established.remoteAddress = String.valueOf(remoteAddress);
            established.connection = serial;
            established.commit();
        }
        // Not what the registering thread carries (a direct attempt's meeting, see DirectAttempts): the
        // connection outlives the attempt, and what its reader sets up (relayed circuits) is its own.
        // Both fields are set before either thread runs: a writer whose first send fails waits for the
        // reader (awaitReaderEnd), and a reader not yet set made it close with "send failed" while the
        // peer's GOODBYE was still unread (seen once in CI: the peer closed right after PeerConnected,
        // which the table emits before start).
        Thread w = Thread.ofVirtual().inheritInheritableThreadLocals(false).name("crust-peer-" + serial + "-write")
                .unstarted(this::writeLoop);
        Thread r = Thread.ofVirtual().inheritInheritableThreadLocals(false).name("crust-peer-" + serial + "-read")
                .unstarted(this::readLoop);
        writer = w;
        reader = r;
        r.start();
        w.start();
    }

    public PeerId remote() { return remote; }
    public PeerId initiator() { return initiator; }
    public Route route() { return route; }
    public Transport transport() { return transport; }
    public InetSocketAddress remoteAddress() { return remoteAddress; }
    public long serial() { return serial; }
    /** The node's clock when this connection was made, after its handshake. */
    public long createdNanos() { return createdNanos; }
    public boolean isOpen() { return !closed.get(); }
    public boolean isRetiring() { return retiring.get(); }
    /** The initiator's number for the dial that made this connection: equal on both ends (see {@link SecureChannel#dialNumber}). */
    public long dialNumber() { return channel.dialNumber(); }
    /** The channel's handshake hash: equal on both ends of this connection. */
    public byte[] channelBinding() { return channel.handshakeHash(); }
    /** True once an application message went either way: the application uses this peer. */
    public boolean carriedApplicationData() { return carriedApplicationData; }
    /** True once the application queued a message on this connection: its loss may lose that message. */
    public boolean sentApplicationData() { return sentApplicationData; }

    /** The channel's resumption offer from the initiator, null if none (see {@link SecureChannel#resumeOffer}). */
    public ResumeOffer resumeOffer() {
        return channel.resumeOffer();
    }

    /** An offer to continue this connection on a new one, after it failed: its tag and what we delivered of it. */
    public ResumeOffer offerToResume() {
        return new ResumeOffer(ResumeOffer.tagOf(channel.handshakeHash()), appDelivered);
    }

    /** True if the connection with this handshake hash is the one {@code offer} names. */
    public boolean isNamedBy(ResumeOffer offer) {
        return offer.names(channel.handshakeHash());
    }

    /** APP messages of the peer handed to the application so far; final once the reader has ended. */
    public long appDelivered() {
        return appDelivered;
    }

    /**
     * True while this connection keeps what a resumption needs (every APP message sent and not yet
     * acknowledged, see {@link SendQueue}) and the peer has registered it: something arrived on it. A
     * connection the peer dropped right after its handshake (a late attempt) is not continued.
     */
    public boolean resumable() {
        return heardFromPeer && queue.resumable();
    }

    /**
     * After the connection closed: the APP messages the peer did not deliver when it says it delivered
     * {@code delivered}, in sending order; empty if they were not kept. Once.
     */
    public java.util.Optional<java.util.List<byte[]>> resendFrom(long delivered) {
        return queue.resendFrom(delivered);
    }

    /**
     * Sends the answer to a resumption offer and then, before anything else queued, the messages a
     * failed connection did not deliver. False if this connection is closing.
     */
    public boolean resume(WireMessage.Resume answer, java.util.List<byte[]> resend) {
        return queue.offerControl(codec.encode(answer)) && queue.prependResent(resend);
    }

    /** Sends, before anything else queued, the messages a failed connection did not deliver. False if closing. */
    public boolean sendAgain(java.util.List<byte[]> resend) {
        return queue.prependResent(resend);
    }

    /**
     * This connection continues {@code broken}, with {@code resent} of its messages sent again: it
     * counts as carrying what that one carried (eviction and loss checks look at it).
     */
    public void continues(PeerConnection broken, int resent) {
        carriedApplicationData |= broken.carriedApplicationData || resent > 0;
        sentApplicationData |= broken.sentApplicationData || resent > 0;
    }

    /**
     * From now on this connection's application messages are dropped instead of delivered (a
     * connection parked beside a broken one, closed when the wait ends: what it held belongs to no
     * {@code Peer}; its sender sees the connection closed).
     */
    public void discardDeliveries() {
        deliveriesDiscarded = true;
    }

    /** True after {@link #discardDeliveries}. */
    public boolean deliveriesDiscarded() {
        return deliveriesDiscarded;
    }

    /** Sends an ACK if the application was handed messages since the last one (the heartbeat calls this). */
    public void acknowledgeIfBehind() {
        long delivered = appDelivered;
        if (delivered > lastAckSent && sendControl(new WireMessage.Ack(delivered))) {
            lastAckSent = delivered;
        }
    }

    private void countDelivered(int payloadBytes) {
        long delivered = appDelivered + 1;
        appDelivered = delivered;
        bytesSinceAck += payloadBytes;
        if (delivered - lastAckSent >= ACK_EVERY_MESSAGES || bytesSinceAck >= ACK_EVERY_BYTES) {
            bytesSinceAck = 0;
            acknowledgeIfBehind();
        }
    }

    /** The node's clock when the last message arrived. */
    public long lastReceivedNanos() {
        return lastReceivedNanos;
    }

    /**
     * When this connection last showed life, for the liveness check: the last message received, or,
     * once the remote has retired it and so sends nothing more, also the last message we sent while
     * draining our queue. Without the second, a long drain after the remote's RETIRE looked like a
     * dead peer and was cut, losing what was still queued.
     */
    public long lastSignOfLifeNanos() {
        return retireReceived ? Math.max(lastReceivedNanos, lastSentNanos) : lastReceivedNanos;
    }

    /**
     * True once the remote's RETIRE has been handled, after every message the remote sent before it:
     * nothing more will come on this connection.
     */
    public boolean retireReceived() {
        return retireReceived;
    }

    /**
     * True while the reader is blocked handing a message to the application, or waiting for room
     * among the messages queued behind the connection's turn: it reads nothing then, so silence
     * proves nothing about the peer.
     */
    public boolean isDelivering() {
        return delivering || pending.readerBlocked();
    }

    /** Queues an application message. HIGH blocks while the queue is full. */
    public void sendApp(byte[] payload, Priority priority) throws CrustException, InterruptedException {
        byte[] encoded = codec.encode(new WireMessage.App(payload));
        carriedApplicationData = true;
        sentApplicationData = true;
        if (priority == Priority.HIGH) {
            queue.putHigh(encoded);
        } else {
            queue.putLow(encoded, nanoClock.getAsLong());
        }
    }

    /** Queues a message that must pass in order with HIGH data (relayed frames); blocks while full. */
    public void sendBlocking(WireMessage message) throws CrustException, InterruptedException {
        queue.putHigh(codec.encode(message));
    }

    /** Queues a message behind the HIGH data already queued, without blocking (see {@link SendQueue#offerAfterHigh}). */
    public boolean sendAfterData(WireMessage message) {
        return queue.offerAfterHigh(codec.encode(message));
    }

    /** Queues a control message without blocking; false if the connection is closing or the lane is full. */
    public boolean sendControl(WireMessage message) {
        return queue.offerControl(codec.encode(message));
    }

    /** Starts retiring this connection (see the class comment). */
    public void retire() {
        if (retiring.compareAndSet(false, true)) {
            LOG.debug("retiring duplicate connection {} to {}", serial, remote.shortForm());
            queue.seal();
        }
    }

    /** Closes the connection; the first cause given wins. Idempotent. */
    public void close(CloseCause closeCause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        cause = closeCause;
        if (LOG.isDebugEnabled()) {
            LOG.debug("closing connection {} to {} ({} {} at {}): {}", serial, remote.shortForm(), route, transport,
                    remoteAddress, closeCause.reason());
        }
        if (!closeCause.quiet()) {
            recordLost(closeCause);
        }
        queue.close(nanoClock.getAsLong());
        if (closeCause.quiet() && !retireSent && !closeCause.resumed()) {
            sayGoodbyeThenClose(closeCause.reason());
        } else if (cutOffByUs(closeCause)) {
            // The peer hears why (and, from a GOODBYE, that the end was meant, not a failure to repair);
            // the kind of misbehaviour only, not the details.
            sayGoodbyeThenClose(closeCause.misbehaviour() != null ? "misbehaved: " + closeCause.misbehaviour()
                    : closeCause.reason());
        } else {
            closeChannel();
        }
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) {
            w.interrupt();
        }
        // The reader reports onClosed once it has stopped; if it never started, report here.
        if (reader == null) {
            handler.onClosed(this, closeCause);
        }
    }

    /** This node ended the connection on purpose: misbehaviour, a ban, an eviction for room. */
    private static boolean cutOffByUs(CloseCause cause) {
        return cause.lost() == PeerLost.Reason.MISBEHAVED || cause.lost() == PeerLost.Reason.BANNED
                || cause.lost() == PeerLost.Reason.EVICTED;
    }

    private void recordLost(CloseCause closeCause) {
        ConnectionLostEvent lost = new ConnectionLostEvent();
        if (lost.isEnabled()) {
            lost.peer = remote.toString();
            lost.reason = closeCause.lost().name();
            lost.detail = closeCause.reason();
            lost.misbehaviour = closeCause.misbehaviour() == null ? null : closeCause.misbehaviour().name();
            lost.transport = transport.name();
            lost.connection = serial;
            lost.commit();
        }
    }

    /** Waits until the reader and writer threads have ended (after {@link #close}), up to the deadline. */
    public void awaitTermination(long deadlineNanos) throws InterruptedException {
        for (Thread t : new Thread[] {reader, writer}) {
            long left = deadlineNanos - System.nanoTime();
            if (t != null && left > 0) {
                t.join(java.time.Duration.ofNanos(left));
            }
        }
    }

    /**
     * Tells the peer why we close (best effort, at most {@link #GOODBYE_WAIT_MILLIS}: a peer that does
     * not read must not hold us), then closes the channel.
     */
    private void sayGoodbyeThenClose(String reason) {
        Thread goodbye = Thread.ofVirtual().name("crust-peer-" + serial + "-goodbye").start(() -> {
            try {
                channel.send(codec.encode(new WireMessage.Goodbye(reason)));
            } catch (IOException | RuntimeException e) {
                LOG.trace("goodbye not sent on {}: {}", serial, e.toString());
            }
        });
        try {
            goodbye.join(java.time.Duration.ofMillis(GOODBYE_WAIT_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeChannel();
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing channel {}: {}", serial, e.toString());
        }
    }

    private void readLoop() {
        CloseCause end;
        try {
            end = readUntilEnd();
        } catch (InterruptedException e) {
            end = CloseCause.quiet("closed");
        }
        close(end);
        try {
            pending.awaitDrained(); // what arrived before the end is handed over before onClosed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handler.onClosed(this, cause);
    }

    private CloseCause readUntilEnd() throws InterruptedException {
        while (true) {
            byte[] bytes;
            try {
                bytes = channel.receive();
            } catch (EOFException e) {
                if (closed.get()) {
                    return cause;
                }
                // Once both RETIREs have passed the peer closes the retired connection: the expected
                // end, not a loss (reported as one, it made the table restart a peer that was moving).
                // The peer's RETIRE may have been read but still wait behind this connection's turn;
                // ours may be sent but not yet marked so (both seen in the NAT lab as "closed by the
                // peer"). A send that went out returns at once, so the writer gets a moment; one still
                // blocked means the peer stopped reading, and what we sent before it may be lost.
                if (retireRead && retireSending && !retireSent) {
                    awaitWriterEnd();
                }
                return retireRead && retireSent ? CloseCause.quiet("duplicate connection retired")
                        : CloseCause.lost(PeerLost.Reason.CONNECTION_LOST, "connection closed by the peer");
            } catch (DecryptionException e) {
                return CloseCause.misbehaved(Misbehaviour.Kind.DECRYPTION_FAILURE, e.getMessage());
            } catch (MessageTooLargeException | FrameTooLargeException e) {
                return CloseCause.misbehaved(Misbehaviour.Kind.OVERSIZED_FRAME, e.getMessage());
            } catch (ChannelProtocolException e) {
                return CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION, e.getMessage());
            } catch (IOException | RuntimeException e) {
                return closed.get() ? cause : CloseCause.lost(PeerLost.Reason.CONNECTION_LOST, "connection failed: " + e.getMessage());
            }
            long now = nanoClock.getAsLong();
            lastReceivedNanos = now;
            heardFromPeer = true;
            if (!rateLimiter.tryAcquire(now)) {
                return CloseCause.misbehaved(Misbehaviour.Kind.FLOOD, "more than the allowed messages per second");
            }
            WireMessage message;
            try {
                message = codec.decode(bytes);
            } catch (WireFormatException.Oversized e) {
                return CloseCause.misbehaved(Misbehaviour.Kind.OVERSIZED_FRAME, e.getMessage());
            } catch (WireFormatException e) {
                return CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION, e.getMessage());
            }
            if (message instanceof WireMessage.Heartbeat) {
                continue;
            }
            if (message instanceof WireMessage.Ack ack) {
                // About what we sent on this connection: handled at once, never behind the turn.
                if (!queue.acknowledge(ack.delivered())) {
                    return CloseCause.misbehaved(Misbehaviour.Kind.PROTOCOL_VIOLATION,
                            "acknowledged " + ack.delivered() + " messages, more than were sent");
                }
                continue;
            }
            if (message instanceof WireMessage.Retire) {
                retireRead = true; // handled in turn, after the messages queued before it (retireReceived)
            }
            if (message instanceof WireMessage.Goodbye g) {
                return CloseCause.lost(PeerLost.Reason.GOODBYE, "peer said goodbye: " + g.reason());
            }
            CloseCause end = pending.queueIfWaiting(message, bytes.length) ? null : handle(message, true);
            if (end != null) {
                return end;
            }
            if (closed.get()) {
                return cause;
            }
        }
    }

    /**
     * Acts on one message, in the order the peer sent them: on the reader, or on the
     * {@link PendingDelivery} thread while the connection waits for its turn. Returns a cause to end
     * the connection, or null.
     */
    private CloseCause handle(WireMessage message, boolean onReader) throws InterruptedException {
        switch (message) {
            case WireMessage.Retire r -> {
                retireReceived = true;
                retire();
                handler.onRemoteRetire(this);
                if (retireSent) {
                    return CloseCause.quiet("duplicate connection retired");
                }
            }
            default -> {
                if (message instanceof WireMessage.App) {
                    carriedApplicationData = true;
                }
                // Only a reader blocked in the application stops reading, and only that exempts the
                // connection from the heartbeat check: the peer may be fine, the application is slow.
                delivering = onReader;
                try {
                    handler.onMessage(this, message);
                    if (message instanceof WireMessage.App app) {
                        countDelivered(app.payload().length);
                    }
                } finally {
                    delivering = false;
                    if (onReader) {
                        lastReceivedNanos = nanoClock.getAsLong();
                    }
                }
            }
        }
        return null;
    }

    private void writeLoop() {
        try {
            while (!closed.get()) {
                byte[] next = queue.take(Long.MAX_VALUE, nanoClock.getAsLong());
                if (next == null) {
                    if (retiring.get() && !closed.get()) {
                        retireSending = true;
                        channel.send(codec.encode(new WireMessage.Retire()));
                        retireSent = true;
                        if (retireReceived) {
                            close(CloseCause.quiet("duplicate connection retired"));
                        }
                    }
                    return;
                }
                channel.send(next);
                lastSentNanos = nanoClock.getAsLong();
            }
        } catch (InterruptedException e) {
            // close() interrupts the writer; the reader reports the cause.
        } catch (IOException | RuntimeException e) {
            if (!closed.get()) {
                awaitReaderEnd();
            }
            close(closed.get() ? cause : CloseCause.lost(PeerLost.Reason.CONNECTION_LOST, "send failed: " + e.getMessage()));
        }
    }

    /** At the end of the stream, gives the writer up to {@link #GOODBYE_WAIT_MILLIS} to finish sending its RETIRE. */
    private void awaitWriterEnd() throws InterruptedException {
        Thread w = writer;
        if (w != null && w != Thread.currentThread()) {
            w.join(java.time.Duration.ofMillis(GOODBYE_WAIT_MILLIS));
        }
    }

    /**
     * After a failed send, gives the reader up to {@link #GOODBYE_WAIT_MILLIS} to find out why: a peer
     * that closed sends its GOODBYE and then shuts its socket, so our next send can fail ("Broken pipe")
     * while the GOODBYE still waits, unread, in our receive buffer. The reader then reports the real
     * cause; closing the channel from here at once threw it away.
     */
    private void awaitReaderEnd() {
        Thread r = reader;
        if (r == null || r == Thread.currentThread()) {
            return;
        }
        try {
            r.join(java.time.Duration.ofMillis(GOODBYE_WAIT_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PeerConnection[" + serial + " " + remote.shortForm() + " " + transport + " " + route + " " + remoteAddress + "]";
    }
}
