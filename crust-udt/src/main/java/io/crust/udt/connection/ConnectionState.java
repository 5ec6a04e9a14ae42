package io.crust.udt.connection;

import io.crust.udt.ConnectionStats;
import io.crust.udt.UdtConfig;
import io.crust.udt.congestion.Bbr;
import io.crust.udt.congestion.CongestionController;
import io.crust.udt.congestion.Cubic;
import io.crust.udt.congestion.NewReno;
import io.crust.udt.congestion.Pacer;
import io.crust.udt.packet.AcceptPacket;
import io.crust.udt.packet.AckFrame;
import io.crust.udt.packet.DataFrames;
import io.crust.udt.packet.DataHeader;
import io.crust.udt.packet.Frames;
import io.crust.udt.packet.InitialPacket;
import io.crust.udt.packet.MalformedPacketException;
import io.crust.udt.packet.PacketType;
import io.crust.udt.packet.PathFrames;
import io.crust.udt.packet.RetryPacket;
import io.crust.udt.packet.VersionPacket;
import io.crust.udt.recovery.LossDetector;
import io.crust.udt.recovery.RttEstimator;
import io.crust.udt.recovery.SentPacketLog;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;

/**
 * One connection's whole protocol, without I/O or threads: datagrams and the time go in
 * ({@link #onDatagram}, {@link #onTimers}), datagrams come out ({@link #poll}), and
 * {@link #nextDeadlineNanos} says when to call again. The application side ({@link #write},
 * {@link #read}, {@link #close}) only moves bytes in and out of bounded buffers. Not thread-safe: the
 * owner (a connection's driver, or a test) serialises all calls.
 *
 * <p>Life cycle: CONNECTING (client: INITIAL with backoff, RETRY cookie, until ACCEPT) then
 * ESTABLISHED, then CLOSING (end of stream sent, waiting for every byte to be acknowledged), then
 * TERMINATED (after sending CLOSE, on the peer's CLOSE, an idle timeout or a protocol violation).
 *
 * <p>Paths: the state knows the peer's address. A packet of this connection from another address
 * ({@link #onDatagram(ByteBuffer, InetSocketAddress, long)}) is taken in, and may start a validation
 * of that address ({@link PathValidator}); once the address answers, the connection moves there.
 * {@link #destination()} says where each datagram {@link #poll} wrote must go.
 */
public final class ConnectionState implements LossDetector.Listener {
    /** Where the connection is in its life. */
    public enum Phase { CONNECTING, ESTABLISHED, CLOSING, TERMINATED }

    /** What {@link #onDatagram} made of a datagram, for the endpoint's counters. */
    public enum Verdict { ACCEPTED, IGNORED, MALFORMED, DUPLICATE }

    /** RFC 9000 sec. 18.2 defaults to 25 ms; a shorter delay keeps the sender's window moving. */
    static final long MAX_ACK_DELAY_NANOS = 5_000_000L;
    private static final int MAX_STREAM_CHUNK = 0xFFFF;
    /** RFC 9000 sec. 8.2.1: datagrams with a PATH_CHALLENGE are expanded to at least 1,200 bytes. */
    static final int CHALLENGE_DATAGRAM_BYTES = 1200;
    private static final SecureRandom CHALLENGE_RANDOM = new SecureRandom();

    private final long localId;
    private final boolean rendezvous;
    private final long idleTimeoutNanos;
    private final long keepaliveNanos;
    private final AckTracker acks = new AckTracker(MAX_ACK_DELAY_NANOS);
    private final AckFrequencyRequest ackFrequency = new AckFrequencyRequest(MAX_ACK_DELAY_NANOS);
    private final StreamSender sender;
    private final StreamReceiver receiver;
    private final RttEstimator rtt = new RttEstimator();
    private final UdtConfig config;
    private CongestionController congestion;
    private Pacer pacer;
    private final LossDetector loss;
    private MtuProber mtu;
    private final int basePayloadBytes;
    private final PathValidator paths;
    private InetSocketAddress destination;

    private Phase phase;
    private boolean client;
    private long peerId;
    private final HandshakeTimers handshake;

    private long lastReceiveNanos;
    private long lastSendNanos;
    private boolean pingPending;
    /** Stream data arrived since the last quiet-path probe; see {@link #quietProbeDeadlineNanos}. */
    private boolean quietProbeArmed;
    private int probesToSend;
    private long pacingDeadlineNanos;
    private int closeFramesToSend;
    private int closeReason;
    private String failure;
    private boolean peerClosed;
    private long packetsSent;
    private long packetsReceived;

    private ConnectionState(UdtConfig config, long localId, boolean client, boolean rendezvous,
                            InetSocketAddress peerAddress, long nowNanos, long firstPacketNumber) {
        this.config = config;
        this.localId = localId;
        this.client = client;
        this.rendezvous = rendezvous;
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        this.keepaliveNanos = config.keepaliveInterval().toNanos();
        int payload = config.initialPayloadBytes();
        this.basePayloadBytes = payload;
        this.congestion = newCongestionController();
        this.pacer = new Pacer(payload);
        this.loss = new LossDetector(firstPacketNumber, rtt, congestion, MAX_ACK_DELAY_NANOS);
        this.mtu = new MtuProber(payload, config.maxPayloadBytes(), config.pmtuProbing());
        // Until the peer's first ACK advertises its window, assume the smallest one a peer may
        // configure: assuming ours overran a peer with a smaller window, which then closed the
        // connection for a flow-control violation.
        this.sender = new StreamSender(config.sendBufferBytes(), UdtConfig.MIN_RECEIVE_WINDOW_BYTES);
        this.receiver = new StreamReceiver(config.receiveWindowBytes());
        this.phase = client ? Phase.CONNECTING : Phase.ESTABLISHED;
        this.handshake = new HandshakeTimers(nowNanos);
        this.lastReceiveNanos = nowNanos;
        this.lastSendNanos = nowNanos;
        this.paths = new PathValidator(peerAddress, CHALLENGE_RANDOM);
        this.destination = peerAddress;
    }

    private CongestionController newCongestionController() {
        int payload = config.initialPayloadBytes();
        return switch (config.congestionControl()) {
            case CUBIC -> new Cubic(payload);
            case NEW_RENO -> new NewReno(payload);
            case BBR -> new Bbr(payload, localId);
        };
    }

    /**
     * A connection that sends INITIAL packets until the peer accepts it; with {@code rendezvous} the peer
     * does the same, and the side with the larger connection id ends up answering.
     *
     * @param peerAddress where the peer is (null turns path migration off: every datagram is then
     *     taken as coming from the peer's one address)
     * @param firstPacketNumber random, below 2^61, so that packet numbers are not guessable
     */
    public static ConnectionState client(UdtConfig config, long localId, boolean rendezvous,
                                         InetSocketAddress peerAddress, long nowNanos, long firstPacketNumber) {
        return new ConnectionState(config, localId, true, rendezvous, peerAddress, nowNanos, firstPacketNumber);
    }

    /**
     * A connection created by a listener after a valid cookie came back from {@code peerAddress} (which
     * validates that address); it sends ACCEPT first.
     */
    public static ConnectionState server(UdtConfig config, long localId, long peerId, InetSocketAddress peerAddress,
                                         long nowNanos, long firstPacketNumber) {
        ConnectionState state = new ConnectionState(config, localId, false, false, peerAddress, nowNanos,
                firstPacketNumber);
        state.peerId = peerId;
        state.handshake.requestAccept();
        return state;
    }

    public long localId() {
        return localId;
    }

    public long peerId() {
        return peerId;
    }

    public Phase phase() {
        return phase;
    }

    public boolean isRendezvous() {
        return rendezvous;
    }

    /** Terminated with nothing left to send: the owner may release the connection. */
    public boolean isFinished() {
        return phase == Phase.TERMINATED && closeFramesToSend == 0;
    }

    /** Why the connection failed, or null if it is open or ended gracefully. */
    public String failure() {
        return failure;
    }

    public boolean peerClosed() {
        return peerClosed;
    }

    /** The peer's validated address: where everything but path validation goes. */
    public InetSocketAddress peerAddress() {
        return paths.peer();
    }

    /** Where the datagram that the last {@link #poll} wrote must be sent. */
    public InetSocketAddress destination() {
        return destination;
    }

    /** The address being validated because the peer's packets came from there, or null. */
    public InetSocketAddress candidateAddress() {
        return paths.candidate();
    }

    // ---------------------------------------------------------------- input

    /**
     * Takes in one datagram addressed to this connection that came from {@code from}; the same as
     * {@link #onDatagram(ByteBuffer, long)} if that is the peer's address. From anywhere else only DATA
     * packets of an established connection are taken: they are processed as usual and may start a
     * validation of {@code from} (see {@link PathValidator}).
     */
    public Verdict onDatagram(ByteBuffer datagram, InetSocketAddress from, long nowNanos) {
        if (paths.peer() == null || paths.peer().equals(from)) {
            return onDatagram(datagram, nowNanos);
        }
        if ((phase != Phase.ESTABLISHED && phase != Phase.CLOSING) || !datagram.hasRemaining()
                || PacketType.typeOf(datagram.get(datagram.position()) & 0xFF) != PacketType.DATA) {
            return Verdict.IGNORED;
        }
        try {
            return onData(datagram, from, nowNanos);
        } catch (MalformedPacketException e) {
            return Verdict.MALFORMED;
        }
    }

    /** Takes in one datagram from the peer's address; {@code datagram}'s position..limit is it. */
    public Verdict onDatagram(ByteBuffer datagram, long nowNanos) {
        if (phase == Phase.TERMINATED || !datagram.hasRemaining()) {
            return Verdict.IGNORED;
        }
        try {
            return switch (PacketType.typeOf(datagram.get(datagram.position()) & 0xFF)) {
                case PacketType.INITIAL -> onInitial(InitialPacket.decode(datagram), nowNanos);
                case PacketType.RETRY -> onRetry(RetryPacket.decode(datagram), nowNanos);
                case PacketType.ACCEPT -> onAccept(AcceptPacket.decode(datagram), nowNanos);
                case PacketType.VERSION -> onVersion(VersionPacket.decode(datagram));
                case PacketType.DATA -> onData(datagram, null, nowNanos);
                default -> Verdict.MALFORMED;
            };
        } catch (MalformedPacketException e) {
            return Verdict.MALFORMED;
        }
    }

    /** An INITIAL whose cookie the endpoint has verified. */
    private Verdict onInitial(InitialPacket initial, long nowNanos) {
        if (initial.version() != PacketType.PROTOCOL_VERSION) {
            return Verdict.IGNORED;
        }
        if (phase == Phase.CONNECTING && rendezvous) {
            // Both sides connected at once and ours has the larger id: answer as the server would.
            client = false;
            peerId = initial.sourceConnectionId();
            phase = Phase.ESTABLISHED;
            handshake.requestAccept();
            lastReceiveNanos = nowNanos;
            return Verdict.ACCEPTED;
        }
        if (!client && initial.sourceConnectionId() == peerId) {
            handshake.requestAccept(); // our ACCEPT was lost (ignored once confirmed)
            return Verdict.ACCEPTED;
        }
        return Verdict.IGNORED;
    }

    private Verdict onRetry(RetryPacket retry, long nowNanos) {
        if (phase != Phase.CONNECTING) {
            return Verdict.IGNORED;
        }
        handshake.onRetry(retry.cookie(), nowNanos);
        return Verdict.ACCEPTED;
    }

    private Verdict onAccept(AcceptPacket accept, long nowNanos) {
        if (phase != Phase.CONNECTING) {
            return Verdict.IGNORED;
        }
        if (accept.version() != PacketType.PROTOCOL_VERSION) {
            return Verdict.MALFORMED;
        }
        peerId = accept.sourceConnectionId();
        phase = Phase.ESTABLISHED;
        pingPending = true; // confirms the handshake to the server
        lastReceiveNanos = nowNanos;
        return Verdict.ACCEPTED;
    }

    private Verdict onVersion(VersionPacket version) {
        if (phase != Phase.CONNECTING) {
            return Verdict.IGNORED;
        }
        fail("peer speaks protocol versions " + Arrays.toString(version.supportedVersions())
                + ", this side speaks " + PacketType.PROTOCOL_VERSION, -1);
        return Verdict.ACCEPTED;
    }

    /** A DATA packet from the peer's address ({@code from} null) or from {@code from}. */
    private Verdict onData(ByteBuffer datagram, InetSocketAddress from, long nowNanos)
            throws MalformedPacketException {
        int datagramBytes = datagram.remaining();
        if (phase == Phase.CONNECTING) {
            // Data before the server's ACCEPT comes again later; a CLOSE is the one frame worth reading
            // now: the server ended the connection before its ACCEPT got here, so connect() fails at
            // once instead of retrying until its timeout.
            DataHeader.decode(datagram);
            int reason = DataFrames.decode(datagram).closeReason();
            if (reason < 0) {
                return Verdict.IGNORED;
            }
            peerClosed = true;
            phase = Phase.TERMINATED;
            failure = "connection closed by peer (" + Frames.reasonName(reason) + ")";
            return Verdict.ACCEPTED;
        }
        long pn = DataHeader.decode(datagram);
        if (acks.isDuplicate(pn)) {
            return Verdict.DUPLICATE;
        }
        long largestBefore = acks.largestReceived();
        DataFrames frames = DataFrames.decode(datagram);
        AckFrame ack = frames.ack();
        Frames.Stream stream = frames.stream();
        int peerCloseReason = frames.closeReason();
        if (ack != null && ack.largestAcknowledged() >= loss.log().nextPacketNumber()) {
            throw new MalformedPacketException("ACK for a packet never sent");
        }
        if (frames.ackFrequency() != null) { // first: it governs the ACK of this very packet
            Frames.AckFrequency request = frames.ackFrequency();
            acks.onAckFrequency(request.sequence(), request.threshold(), request.maxAckDelayMicros() * 1000);
        }
        acks.onPacket(pn, frames.ackEliciting(), nowNanos);
        packetsReceived++;
        lastReceiveNanos = nowNanos;
        handshake.onConfirmed();
        if (ack != null) {
            sender.onPeerLimit(ack.receiveLimit());
            loss.onAck(ack, nowNanos, this);
            afterAcknowledgements();
        }
        if (stream != null) {
            quietProbeArmed = true;
            String violation = receiver.onFrame(stream, datagram);
            if (violation != null) {
                fail(violation, Frames.CLOSE_PROTOCOL_VIOLATION);
                return Verdict.ACCEPTED;
            }
        }
        onPathFrames(frames, from, datagramBytes, pn > largestBefore, nowNanos);
        if (peerCloseReason >= 0) {
            onPeerClose(peerCloseReason);
        }
        return Verdict.ACCEPTED;
    }

    /** Path validation's part of an accepted DATA packet ({@code from} null: the peer's address). */
    private void onPathFrames(DataFrames frames, InetSocketAddress from, int datagramBytes, boolean largest,
                              long nowNanos) {
        boolean moves = largest && !frames.probing();
        if (from == null) {
            if (moves) {
                paths.onPeerActive();
            }
        } else {
            paths.onPacketFromElsewhere(from, datagramBytes, moves, nowNanos, validationTimeoutNanos());
        }
        if (frames.pathChallenge() != 0) {
            paths.onChallenge(from == null ? paths.peer() : from, frames.pathChallenge());
        }
        if (frames.pathResponse() != 0 && from != null) {
            InetSocketAddress old = paths.peer();
            if (paths.onResponse(from, frames.pathResponse())) {
                onMigrated(old.getAddress().equals(from.getAddress()));
            }
        }
    }

    /**
     * RFC 9000 sec. 8.2.4: "A value of three times the larger of the current PTO or the PTO for the new
     * path (using kInitialRtt, as defined in [QUIC-RECOVERY]) is RECOMMENDED."
     */
    private long validationTimeoutNanos() {
        long maxAckDelay = ackFrequency.peerMaxAckDelayNanos();
        long initialPto = RttEstimator.INITIAL_RTT_NANOS
                + Math.max(2 * RttEstimator.INITIAL_RTT_NANOS, RttEstimator.GRANULARITY_NANOS) + maxAckDelay;
        return 3 * Math.max(rtt.ptoNanos(maxAckDelay), initialPto);
    }

    /**
     * The connection now sends to the validated new address. RFC 9000 sec. 9.4: "On confirming a peer's
     * ownership of its new address, an endpoint MUST immediately reset the congestion controller and
     * round-trip time estimator for the new path to initial values [...] unless the only change in the
     * peer's address is its port number" (a NAT rebinding keeps the path). The path MTU is found again
     * too. The peer hears at once what arrived while our ACKs went to its old address.
     *
     * <p>What we sent to the old address since the NAT forgot it is lost, and the probe timer backed
     * off while nothing came back: waiting for that timer stalled a transfer for half a second
     * (RebindingTest). So the move also does what a probe timeout would: it resends the oldest
     * unacknowledged data at once, and the acknowledgement of that probe lets loss detection find
     * the rest by its time threshold.
     */
    private void onMigrated(boolean portOnly) {
        if (!portOnly) {
            rtt.reset();
            congestion = newCongestionController();
            pacer = new Pacer(basePayloadBytes);
            mtu = new MtuProber(basePayloadBytes, config.maxPayloadBytes(), config.pmtuProbing());
            loss.onPathChanged(congestion);
        } else {
            loss.resetProbeBackoff();
        }
        acks.requestImmediate();
        if (loss.bytesInFlight() > 0) {
            probesToSend = 2;
            requeueOldestForProbe();
        }
    }

    private void afterAcknowledgements() {
        long pacingRate = congestion.pacingRateBytesPerSecond();
        if (pacingRate > 0) {
            pacer.setRateBytesPerSecond(pacingRate, mtu.currentPayloadBytes());
        } else {
            pacer.setRate(congestion.windowBytes(), rtt.smoothedRttNanos(), congestion.inSlowStart(),
                    mtu.currentPayloadBytes());
        }
        if (phase == Phase.CLOSING && sender.allAcknowledged()) {
            phase = Phase.TERMINATED;
            closeReason = Frames.CLOSE_GRACEFUL;
            closeFramesToSend = 2; // CLOSE is not acknowledged; a second copy covers one loss
        }
    }

    private void onPeerClose(int reason) {
        peerClosed = true;
        if (phase == Phase.TERMINATED) {
            return;
        }
        phase = Phase.TERMINATED;
        closeFramesToSend = 0;
        if (reason != Frames.CLOSE_GRACEFUL) {
            failure = "connection closed by peer (" + Frames.reasonName(reason) + ")";
        } else if (!sender.allDataAcknowledged()) {
            failure = "peer closed before acknowledging all data";
        }
    }


    @Override
    public void onPacketAcked(long packetNumber, SentPacketLog log) {
        int flags = log.flags(packetNumber);
        if ((flags & SentPacketLog.ACK_FREQUENCY) != 0) {
            ackFrequency.onAcked(packetNumber);
            loss.setPeerMaxAckDelay(ackFrequency.peerMaxAckDelayNanos());
        }
        if ((flags & SentPacketLog.MTU_PROBE) != 0) {
            if (mtu.isProbe(packetNumber)) {
                congestion.onDatagramSizeChanged(mtu.onProbeAcked());
            }
        } else {
            if (log.streamLength(packetNumber) > 0 || (flags & SentPacketLog.FIN) != 0) {
                sender.onAcked(log.streamOffset(packetNumber), log.streamLength(packetNumber),
                        (flags & SentPacketLog.FIN) != 0);
            }
            int size = log.sizeBytes(packetNumber);
            int payload = mtu.currentPayloadBytes();
            if (size > payload && mtu.onPacketAcked(size) != payload) {
                congestion.onDatagramSizeChanged(mtu.currentPayloadBytes()); // sent before a suspected black hole
            }
        }
    }

    @Override
    public void onPacketLost(long packetNumber, SentPacketLog log) {
        int flags = log.flags(packetNumber);
        if ((flags & SentPacketLog.ACK_FREQUENCY) != 0) {
            ackFrequency.onLost(packetNumber);
        }
        if ((flags & SentPacketLog.MTU_PROBE) != 0) {
            if (mtu.isProbe(packetNumber)) {
                mtu.onProbeLost(false, lastReceiveNanos); // losses are detected as acknowledgements arrive
            }
        } else if (log.streamLength(packetNumber) > 0 || (flags & SentPacketLog.FIN) != 0) {
            sender.onLost(log.streamOffset(packetNumber), log.streamLength(packetNumber),
                    (flags & SentPacketLog.FIN) != 0);
        }
    }

    /** The datagram size data packets use now; a path MTU probe is larger. */
    public int payloadBytes() {
        return mtu.currentPayloadBytes();
    }

    /** The local stack refused the last datagram as too large (EMSGSIZE): it can only have been a probe. */
    public void onDatagramTooLarge() {
        mtu.onProbeLost(true, lastReceiveNanos);
    }

    /** Runs the idle, loss, probe, keepalive and handshake timers that are due. */
    public void onTimers(long nowNanos) {
        if (phase == Phase.TERMINATED || phase == Phase.CONNECTING) {
            return;
        }
        if (nowNanos - lastReceiveNanos >= idleTimeoutNanos) {
            fail("idle timeout: nothing heard from the peer for "
                    + Duration.ofNanos(idleTimeoutNanos).toMillis() + " ms", Frames.CLOSE_IDLE_TIMEOUT);
            return;
        }
        paths.onTimers(nowNanos);
        LossDetector.Timeout timeout = loss.onTimeout(nowNanos, this);
        if (timeout == LossDetector.Timeout.PROBE) {
            probesToSend = 2;
            requeueOldestForProbe();
            if (loss.ptoCount() >= 3 && mtu.currentPayloadBytes() > mtuBase()) {
                congestion.onDatagramSizeChanged(mtu.onBlackHoleSuspected(nowNanos));
            }
        }
        if (nowNanos >= keepaliveDeadlineNanos()) {
            pingPending = true;
        }
        if (quietProbeArmed && nowNanos >= quietProbeDeadlineNanos()) {
            quietProbeArmed = false;
            pingPending = true;
        }
        if (!client) {
            handshake.onTimers(nowNanos);
        }
    }

    private int mtuBase() {
        return basePayloadBytes;
    }

    /**
     * When a receiver whose data stopped coming sends one PING: two probe timeouts after the last
     * packet arrived, once per silence. If a NAT in front of us forgot our mapping, the peer's data
     * goes to the old one and is lost, and the peer cannot find our new address until we send from
     * it; a receiver that has nothing to acknowledge would otherwise say nothing until its keepalive
     * (5 s by default). If the peer just had nothing more to send, the PING costs it one ACK.
     */
    private long quietProbeDeadlineNanos() {
        return lastReceiveNanos + 2 * rtt.ptoNanos(MAX_ACK_DELAY_NANOS);
    }

    private long keepaliveDeadlineNanos() {
        boolean blocked = sender.blockedByPeerWindow() && loss.bytesInFlight() == 0;
        return lastSendNanos + (blocked ? rtt.ptoNanos(MAX_ACK_DELAY_NANOS) : keepaliveNanos);
    }

    private void requeueOldestForProbe() {
        SentPacketLog log = loss.log();
        for (long pn = log.firstUnresolved(); pn < log.nextPacketNumber(); pn++) {
            if (log.isOutstanding(pn)) {
                int flags = log.flags(pn);
                if (log.streamLength(pn) > 0 || (flags & SentPacketLog.FIN) != 0) {
                    sender.onLost(log.streamOffset(pn), log.streamLength(pn), (flags & SentPacketLog.FIN) != 0);
                }
                return;
            }
        }
    }

    // ---------------------------------------------------------------- output

    /**
     * Writes the next datagram to send into {@code out} (cleared first; on return its position is the
     * datagram's length) and returns that length, or 0 if nothing should be sent now.
     */
    public int poll(ByteBuffer out, long nowNanos) {
        return poll(out, nowNanos, false);
    }

    /**
     * As {@link #poll(ByteBuffer, long)}; with {@code holdPartialPacket}, new data that would fill only
     * part of a packet is not sent while other packets are in flight (their acknowledgement, or a
     * timer, polls again without holding). This keeps an application's writes from leaving as one full
     * packet and one small one each, which on a large-MTU path (loopback: 64 KiB) doubles the packets
     * per byte. Lost data, the end of the stream and probes are never held.
     */
    public int poll(ByteBuffer out, long nowNanos, boolean holdPartialPacket) {
        holdPartial = holdPartialPacket;
        out.clear();
        destination = paths.peer();
        switch (phase) {
            case TERMINATED -> {
                if (closeFramesToSend == 0 || peerId == 0) {
                    closeFramesToSend = 0;
                    return 0;
                }
                closeFramesToSend--;
                DataHeader.encode(out, peerId, loss.log().nextPacketNumber());
                if (acks.anyReceived()) {
                    // Everything received, acknowledged once more before the CLOSE: if the last ACK was
                    // lost, the peer would otherwise learn of the close before learning that its data
                    // (and end of stream) arrived, and report a failed close for a complete transfer.
                    acks.encode(out, nowNanos, receiver.limitOffset());
                }
                Frames.encodeClose(out, closeReason);
                loss.onPacketSent(nowNanos, out.position(), 0, 0, 0);
                return sent(out, nowNanos);
            }
            case CONNECTING -> {
                if (nowNanos < handshake.nextInitialNanos()) {
                    return 0;
                }
                handshake.encodeInitial(out, rendezvous, localId, nowNanos);
                return sent(out, nowNanos);
            }
            default -> {
                if (handshake.acceptPending()) {
                    handshake.encodeAccept(out, peerId, localId, nowNanos);
                    return sent(out, nowNanos);
                }
                if (paths.responseDue()) {
                    return pollPathResponse(out, nowNanos);
                }
                if (paths.challengeDue(nowNanos, PathValidator.MIN_CHALLENGE_DATAGRAM_BYTES)) {
                    return pollPathChallenge(out, nowNanos);
                }
                return pollData(out, nowNanos);
            }
        }
    }

    private int sent(ByteBuffer out, long nowNanos) {
        packetsSent++;
        lastSendNanos = nowNanos;
        return out.position();
    }

    /**
     * A PATH_RESPONSE alone, to where the challenge came from: as small as the smallest packet that
     * can carry a challenge, so it never sends more than it received. Not counted in flight, never
     * retransmitted.
     */
    private int pollPathResponse(ByteBuffer out, long nowNanos) {
        destination = paths.responseAddress();
        DataHeader.encode(out, peerId, loss.log().nextPacketNumber());
        PathFrames.encodeResponse(out, paths.takeResponse(DataHeader.BYTES + PathFrames.BYTES));
        loss.onPacketSent(nowNanos, out.position(), 0, 0, 0);
        return sent(out, nowNanos);
    }

    /**
     * A PATH_CHALLENGE to the candidate address, padded to {@value #CHALLENGE_DATAGRAM_BYTES} bytes
     * (at most the base payload size), or less if the amplification limit allows less: RFC 9000
     * sec. 8.2.1, "unless the anti-amplification limit for the path does not permit sending a
     * datagram of this size". Not counted in flight: its own timer replaces it if it is lost.
     */
    private int pollPathChallenge(ByteBuffer out, long nowNanos) {
        destination = paths.candidate();
        int size = (int) Math.min(Math.min(CHALLENGE_DATAGRAM_BYTES, basePayloadBytes),
                paths.candidateAllowanceBytes());
        DataHeader.encode(out, peerId, loss.log().nextPacketNumber());
        PathFrames.encodeChallenge(out, paths.nextChallenge(nowNanos));
        if (out.position() < size) {
            out.put((byte) Frames.PADDING);
            while (out.position() < size) {
                out.put((byte) 0);
            }
        }
        paths.onSent(destination, out.position());
        loss.onPacketSent(nowNanos, out.position(), 0, 0, 0);
        return sent(out, nowNanos);
    }

    private enum Content { NONE, MTU_PROBE, STREAM, PING, ACK_ONLY }

    /** Room left in a data packet for an ACK frame, when deciding whether a packet would be full. */
    private static final int ACK_ROOM_BYTES = 64;
    /** Set for the duration of one {@link #poll(ByteBuffer, long, boolean)}. */
    private boolean holdPartial;

    private int pollData(ByteBuffer out, long nowNanos) {
        int payload = mtu.currentPayloadBytes();
        boolean probe = probesToSend > 0;
        boolean windowOpen = loss.bytesInFlight() + payload <= congestion.windowBytes();
        pacingDeadlineNanos = 0;
        boolean wantsProbe = mtu.wantsProbe(nowNanos);
        boolean wantsToSend = sender.hasSendable() || wantsProbe;
        if (windowOpen && !sender.hasSendable()) {
            loss.onApplicationLimited(); // rate samples until this flight is acknowledged measure the app
        }
        boolean mayPace = probe;
        if (!probe && windowOpen && wantsToSend) {
            long delay = pacer.delayNanos(nowNanos, payload);
            if (delay == 0) {
                mayPace = true;
            } else {
                pacingDeadlineNanos = nowNanos + delay; // a quantum of packets then (see Pacer)
            }
        }
        Content content;
        if (mayPace && wantsProbe && phase == Phase.ESTABLISHED
                && loss.bytesInFlight() + mtu.candidateBytes() <= congestion.windowBytes()) {
            content = Content.MTU_PROBE;
        } else if (mayPace && sender.hasSendable() && !(holdPartial && loss.bytesInFlight() > 0
                && sender.onlyPartialChunk(payload - DataHeader.BYTES - Frames.STREAM_HEADER_BYTES - ACK_ROOM_BYTES))) {
            content = Content.STREAM;
        } else if (pingPending || probe) {
            content = Content.PING;
        } else if (acks.ackDue(nowNanos)) {
            content = Content.ACK_ONLY;
        } else {
            return 0;
        }
        long pn = loss.log().nextPacketNumber();
        DataHeader.encode(out, peerId, pn);
        if (acks.hasNewInformation()) {
            acks.encode(out, nowNanos, receiver.limitOffset());
            receiver.onLimitAdvertised();
        }
        int flags = SentPacketLog.ACK_ELICITING | SentPacketLog.IN_FLIGHT;
        long offset = 0;
        int length = 0;
        if ((content == Content.STREAM || content == Content.PING)
                && ackFrequency.due(nowNanos, congestion.windowBytes(), payload, rtt.smoothedRttNanos())) {
            ackFrequency.encode(out, pn, nowNanos);
            loss.setPeerMaxAckDelay(ackFrequency.peerMaxAckDelayNanos());
            flags |= SentPacketLog.ACK_FREQUENCY;
        }
        switch (content) {
            case MTU_PROBE -> {
                int size = mtu.candidateBytes();
                out.put((byte) Frames.PING);
                out.put((byte) Frames.PADDING);
                while (out.position() < size) {
                    out.put((byte) 0);
                }
                flags |= SentPacketLog.MTU_PROBE;
                mtu.onProbeSent(pn);
            }
            case STREAM -> {
                int room = Math.min(payload - out.position() - Frames.STREAM_HEADER_BYTES, MAX_STREAM_CHUNK);
                sender.nextChunk(Math.max(room, 1));
                offset = sender.chunkOffset;
                length = sender.chunkLength;
                Frames.encodeStreamHeader(out, offset, length, sender.chunkFin);
                sender.copyChunk(out);
                if (sender.chunkFin) {
                    flags |= SentPacketLog.FIN;
                }
            }
            case PING -> {
                out.put((byte) Frames.PING);
                pingPending = false;
            }
            default -> flags = 0;
        }
        if (flags != 0 && probesToSend > 0) {
            probesToSend--;
        }
        int size = out.position();
        loss.onPacketSent(nowNanos, size, offset, length, flags);
        if ((flags & SentPacketLog.IN_FLIGHT) != 0) {
            pacer.onSent(nowNanos, size);
        }
        return sent(out, nowNanos);
    }

    /**
     * The earliest time at which {@link #onTimers} or {@link #poll} has something to do, or
     * {@code Long.MAX_VALUE}. Call it after {@link #poll} has returned 0.
     */
    public long nextDeadlineNanos() {
        if (phase == Phase.TERMINATED) {
            return closeFramesToSend > 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (phase == Phase.CONNECTING) {
            return handshake.nextInitialNanos();
        }
        long deadline = Math.min(lastReceiveNanos + idleTimeoutNanos, keepaliveDeadlineNanos());
        if (quietProbeArmed) {
            deadline = Math.min(deadline, quietProbeDeadlineNanos());
        }
        deadline = minNonZero(deadline, loss.timerNanos());
        deadline = minNonZero(deadline, acks.deadlineNanos());
        deadline = minNonZero(deadline, pacingDeadlineNanos);
        if (!client && !handshake.confirmed()) {
            deadline = Math.min(deadline, handshake.acceptResendNanos());
        }
        return Math.min(deadline, paths.deadlineNanos(PathValidator.MIN_CHALLENGE_DATAGRAM_BYTES));
    }

    /**
     * When the pacer lets the next packet go, if the last {@link #poll} held one back for pacing; 0
     * otherwise. Unlike the other deadlines this one must be met on time: data is waiting for it.
     */
    public long pacingDeadlineNanos() {
        return pacingDeadlineNanos;
    }

    private static long minNonZero(long a, long b) {
        return b == 0 ? a : Math.min(a, b);
    }

    // ---------------------------------------------------------------- application side

    /** Bytes {@link #write} would take now; 0 once the connection is closing or over. */
    public int writableBytes() {
        return phase == Phase.ESTABLISHED || phase == Phase.CONNECTING ? sender.freeBytes() : 0;
    }

    /** Appends to the stream; returns how many bytes fitted. */
    public int write(byte[] src, int off, int len) {
        if (phase != Phase.ESTABLISHED && phase != Phase.CONNECTING) {
            return 0;
        }
        return sender.write(src, off, len);
    }

    /** Bytes of our stream the peer has acknowledged in order; only grows (close uses it as progress). */
    public long acknowledgedBytes() {
        return sender.acknowledgedBytes();
    }

    public int readableBytes() {
        return receiver.readableBytes();
    }

    /** Takes up to {@code len} bytes of the stream, in order; returns how many. */
    public int read(byte[] dst, int off, int len) {
        int n = receiver.read(dst, off, len);
        if (n > 0 && receiver.windowUpdateWorthSending()) {
            acks.requestImmediate();
        }
        return n;
    }

    /** The peer's end of stream has arrived (some of the stream may still be unread). */
    public boolean peerFinished() {
        return receiver.finReceived();
    }

    /** The peer ended its stream and all of it has been read. */
    public boolean atEndOfStream() {
        return receiver.atEnd();
    }

    /** Starts a graceful close: sends the end of stream and waits for everything to be acknowledged. */
    public void close(long nowNanos) {
        if (phase == Phase.ESTABLISHED) {
            sender.finish();
            phase = Phase.CLOSING;
        } else if (phase == Phase.CONNECTING) {
            abort("closed before the handshake completed");
        }
    }

    /** Ends the connection now; the peer is told with one CLOSE (best effort). */
    public void abort(String why) {
        if (phase != Phase.TERMINATED) {
            fail(why, Frames.CLOSE_ABORTED);
        }
    }

    private void fail(String why, int reason) {
        failure = why;
        phase = Phase.TERMINATED;
        closeReason = Math.max(reason, 0);
        closeFramesToSend = reason >= 0 && peerId != 0 ? 1 : 0;
    }

    /** Bytes of send and receive buffer pages allocated: they grow with the traffic, not with the window sizes. */
    public long bufferBytes() {
        return sender.allocatedBytes() + receiver.allocatedBytes();
    }

    /**
     * Hands the send and receive buffers' pages back. Only for a connection that is over and that the
     * application has closed: nothing is sent or read from them afterwards.
     */
    public void releaseBuffers() {
        sender.release();
        receiver.release();
    }

    /** The congestion controller (for tests that look at its model). */
    CongestionController congestionController() {
        return congestion;
    }

    /** A snapshot of counters and estimates, for a state no thread drives (threadPasses 0). */
    public ConnectionStats stats() {
        return stats(0);
    }

    /** A snapshot of counters and estimates; {@code threadPasses} comes from the thread that drives this state. */
    public ConnectionStats stats(long threadPasses) {
        return new ConnectionStats(Duration.ofNanos(rtt.smoothedRttNanos()),
                Duration.ofNanos(rtt.minRttNanos()), congestion.windowBytes(), loss.bytesInFlight(),
                packetsSent, packetsReceived, loss.packetsLost(), sender.bytesSent(),
                sender.bytesRetransmitted(), receiver.bytesDelivered(), mtu.currentPayloadBytes(),
                loss.ptoCount(), threadPasses, bufferBytes(), paths.migrations(), congestion.pacingRateBytesPerSecond());
    }
}
