package io.crust.core.handshake;

import io.crust.core.jfr.HandshakeEvent;
import io.crust.core.CrustException;
import io.crust.core.HandshakeException;
import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.frame.Frame;
import io.crust.core.frame.FrameTransport;
import io.crust.core.noise.Aead;
import io.crust.core.noise.CipherState;
import io.crust.core.noise.NonceExhaustedException;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.AEADBadTagException;

/**
 * An encrypted, mutually authenticated channel over a {@link FrameTransport}, set up by the Noise XX
 * handshake {@code Noise_XX_25519_ChaChaPoly_SHA256} (see {@link XxHandshake} and docs/handshake.md).
 *
 * <p>Each frame carries one Noise transport message whose plaintext is one record of
 * {@link ChannelRecords}; messages larger than a frame are split into chunks and reassembled.
 * Each direction rekeys (Noise section 11.3) every {@link #REKEY_INTERVAL_MESSAGES} frames; both sides
 * count frames, so no signal is needed. A nonce is never used twice: after 2^64-1 frames under one
 * key the channel closes.
 *
 * <p>One thread may {@link #receive()} while other threads {@link #send(byte[])}: each direction has
 * its own lock, and a frame's encryption and write happen under the write lock, so nonces reach the
 * wire in order.
 */
public final class SecureChannel implements AutoCloseable {
    /** Frames sent (or received) under one key before that direction rekeys: 2^16. */
    public static final long REKEY_INTERVAL_MESSAGES = 1L << 16;
    /** The smallest frame size a transport must allow: the handshake messages must fit. */
    public static final int MIN_FRAME_BYTES = 1024;
    private static final byte[] NO_AD = new byte[0];
    private static final int INITIAL_BUFFER_BYTES = 512;

    private final FrameTransport transport;
    private final PeerId remotePeer;
    private final byte[] handshakeHash;
    private final long dialNumber;
    private final ResumeOffer resumeOffer;
    private final int maxMessageBytes;
    private final long rekeyIntervalMessages;
    private final int maxRecordBytes;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Why the last send failed; later sends fail too (guarded by {@code writeLock}). */
    private IOException sendFailure;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final CipherState sender;
    // The three record buffers start small and grow to the largest record seen (at most one frame):
    // an idle connection keeps about 1 KiB instead of 192 KiB (docs/reliability.md, finding F5).
    private byte[] sendRecord;
    private byte[] sendFrame;
    private long sentSinceRekey;

    private final ReentrantLock readLock = new ReentrantLock();
    private final CipherState receiver;
    private byte[] receiveRecord;
    private long receivedSinceRekey;

    private SecureChannel(FrameTransport transport, XxHandshake.Established established, HandshakeParams params,
            long rekeyIntervalMessages) {
        this.transport = transport;
        this.remotePeer = established.remotePeer();
        this.handshakeHash = established.handshakeHash();
        this.dialNumber = established.dialNumber();
        this.resumeOffer = established.resume();
        this.sender = established.sender();
        this.receiver = established.receiver();
        this.maxMessageBytes = params.maxMessageBytes();
        this.rekeyIntervalMessages = rekeyIntervalMessages;
        int maxFrameBytes = Math.min(transport.maxFrameBytes(), 65535);
        this.maxRecordBytes = maxFrameBytes - Aead.TAG_BYTES;
        this.sendRecord = new byte[Math.min(INITIAL_BUFFER_BYTES, maxRecordBytes)];
        this.sendFrame = new byte[Math.min(INITIAL_BUFFER_BYTES, maxFrameBytes)];
        this.receiveRecord = new byte[Math.min(INITIAL_BUFFER_BYTES, maxRecordBytes)];
    }

    /**
     * Runs the handshake as initiator (the side that dialled).
     *
     * @param expectedPeer the peer that must answer, or null to accept any peer of the network
     * @throws HandshakeException if the handshake fails; the transport is then closed
     * @throws IllegalArgumentException if the transport's frames are smaller than {@link #MIN_FRAME_BYTES}
     */
    public static SecureChannel initiate(FrameTransport transport, Identity me, PeerId expectedPeer, HandshakeParams params)
            throws HandshakeException, IOException {
        return initiate(transport, me, expectedPeer, params, peer -> null);
    }

    /**
     * {@link #initiate(FrameTransport, Identity, PeerId, HandshakeParams)}, offering to continue a failed
     * connection when {@code resumeOffers}, asked once the responder has proved its identity, returns
     * an offer for it (null for none). See {@link #resumeOffer}.
     */
    public static SecureChannel initiate(FrameTransport transport, Identity me, PeerId expectedPeer, HandshakeParams params,
            Function<PeerId, ResumeOffer> resumeOffers) throws HandshakeException, IOException {
        return initiate(transport, me, expectedPeer, params, REKEY_INTERVAL_MESSAGES, resumeOffers);
    }

    static SecureChannel initiate(FrameTransport transport, Identity me, PeerId expectedPeer, HandshakeParams params,
            long rekeyIntervalMessages) throws HandshakeException, IOException {
        return initiate(transport, me, expectedPeer, params, rekeyIntervalMessages, peer -> null);
    }

    private static SecureChannel initiate(FrameTransport transport, Identity me, PeerId expectedPeer, HandshakeParams params,
            long rekeyIntervalMessages, Function<PeerId, ResumeOffer> resumeOffers) throws HandshakeException, IOException {
        checkArguments(transport, me, params);
        Objects.requireNonNull(resumeOffers, "resumeOffers");
        HandshakeEvent event = begin(true, transport);
        try {
            SecureChannel channel = new SecureChannel(transport,
                    XxHandshake.initiate(transport, me, expectedPeer, params, resumeOffers), params, rekeyIntervalMessages);
            record(event, channel.remotePeer, null);
            return channel;
        } catch (HandshakeException e) {
            record(event, null, e);
            closeQuietly(transport);
            throw e;
        } catch (IOException | RuntimeException e) {
            record(event, null, e);
            throw e;
        }
    }

    /**
     * Runs the handshake as responder (the side that accepted).
     *
     * @throws HandshakeException if the handshake fails; the transport is then closed
     */
    public static SecureChannel respond(FrameTransport transport, Identity me, HandshakeParams params)
            throws HandshakeException, IOException {
        return respond(transport, me, params, REKEY_INTERVAL_MESSAGES);
    }

    static SecureChannel respond(FrameTransport transport, Identity me, HandshakeParams params, long rekeyIntervalMessages)
            throws HandshakeException, IOException {
        checkArguments(transport, me, params);
        HandshakeEvent event = begin(false, transport);
        try {
            SecureChannel channel = new SecureChannel(transport, XxHandshake.respond(transport, me, params), params,
                    rekeyIntervalMessages);
            record(event, channel.remotePeer, null);
            return channel;
        } catch (HandshakeException e) {
            record(event, null, e);
            closeQuietly(transport);
            throw e;
        } catch (IOException | RuntimeException e) {
            record(event, null, e);
            throw e;
        }
    }

    private static HandshakeEvent begin(boolean initiator, FrameTransport transport) {
        HandshakeEvent event = new HandshakeEvent();
        event.begin();
        if (event.isEnabled()) {
            event.initiator = initiator;
            event.remoteAddress = String.valueOf(transport.remoteAddress());
        }
        return event;
    }

    /** Commits the handshake's event: the proved peer, or why it failed. */
    private static void record(HandshakeEvent event, PeerId peer, Exception failure) {
        if (!event.isEnabled()) {
            return;
        }
        event.end();
        event.peer = peer == null ? null : peer.toString();
        event.outcome = failure == null ? "OK"
                : failure instanceof HandshakeException h ? h.reason().name() : "IO_ERROR";
        event.commit();
    }

    private static void checkArguments(FrameTransport transport, Identity me, HandshakeParams params) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(me, "identity");
        Objects.requireNonNull(params, "params");
        if (transport.maxFrameBytes() < MIN_FRAME_BYTES) {
            throw new IllegalArgumentException("a secure channel needs frames of at least " + MIN_FRAME_BYTES
                    + " bytes; the transport allows " + transport.maxFrameBytes());
        }
    }

    /** The authenticated identity of the other side. */
    public PeerId remotePeer() {
        return remotePeer;
    }

    /** The Noise handshake hash: equal on both sides, unique to this channel (channel binding). */
    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    /**
     * The initiator's number for the dial that made this channel: equal on both sides, larger for a
     * later dial by the same initiator (see {@code DialNumbers}).
     */
    public long dialNumber() {
        return dialNumber;
    }

    /**
     * The initiator's offer to continue a failed connection, made in the handshake (null if none): the
     * same at both ends. The responder answers it on the channel (docs/connection-group.md).
     */
    public ResumeOffer resumeOffer() {
        return resumeOffer;
    }

    /** The address of the other side's transport endpoint. */
    public InetSocketAddress remoteAddress() {
        return transport.remoteAddress();
    }

    /** The largest message {@link #send(byte[])} accepts and {@link #receive()} returns. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** False once closed, locally or because of a failure. */
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Encrypts and sends one message of at most {@link #maxMessageBytes()} bytes. Messages larger than
     * one frame leave as several frames, never interleaved with another sender's frames.
     *
     * @throws IllegalArgumentException if the message is too large
     * @throws IOException if the channel is closed or the transport fails. A failed send breaks the
     *     sending side for good (every later send fails too) but leaves the receiving side open: a
     *     peer that closed may have sent a last message (its GOODBYE) that is still to be read. The
     *     owner closes the channel.
     */
    public void send(byte[] message) throws IOException {
        if (message.length > maxMessageBytes) {
            throw new IllegalArgumentException("message of " + message.length + " bytes exceeds the channel limit of "
                    + maxMessageBytes);
        }
        writeLock.lock();
        try {
            ensureOpen();
            if (sendFailure != null) {
                throw new IOException("sending to " + remotePeer.shortForm() + " failed earlier: " + sendFailure.getMessage());
            }
            int offset = 0;
            boolean first = true;
            do {
                int header = first ? ChannelRecords.DATA_FIRST_HEADER_BYTES : ChannelRecords.DATA_MORE_HEADER_BYTES;
                int chunk = Math.min(message.length - offset, maxRecordBytes - header);
                sendRecord = fit(sendRecord, header + chunk);
                if (first) {
                    sendRecord[0] = ChannelRecords.DATA_FIRST;
                    sendRecord[1] = (byte) (message.length >>> 24);
                    sendRecord[2] = (byte) (message.length >>> 16);
                    sendRecord[3] = (byte) (message.length >>> 8);
                    sendRecord[4] = (byte) message.length;
                } else {
                    sendRecord[0] = ChannelRecords.DATA_MORE;
                }
                System.arraycopy(message, offset, sendRecord, header, chunk);
                writeRecord(header + chunk);
                offset += chunk;
                first = false;
            } while (offset < message.length);
        } catch (IOException e) {
            sendFailure = e;
            throw e;
        } finally {
            writeLock.unlock();
        }
    }

    /** {@code buffer} if it holds {@code needed} bytes, else a larger one (doubling, so bulk traffic grows it fast). */
    private static byte[] fit(byte[] buffer, int needed) {
        return buffer.length >= needed ? buffer : new byte[Math.max(needed, Math.min(buffer.length * 2, 65535))];
    }

    private void writeRecord(int length) throws IOException {
        int frameLength;
        try {
            sendFrame = fit(sendFrame, length + Aead.TAG_BYTES);
            frameLength = sender.encryptWithAd(NO_AD, sendRecord, 0, length, sendFrame, 0);
        } catch (NonceExhaustedException e) {
            throw new CrustException("secure channel to " + remotePeer.shortForm() + " used up its nonces", e);
        }
        transport.writeFrame(sendFrame, 0, frameLength);
        if (++sentSinceRekey == rekeyIntervalMessages) {
            sender.rekey();
            sentSinceRekey = 0;
        }
    }

    /**
     * Blocks until the next whole message arrives.
     *
     * @throws EOFException if the peer closed the channel
     * @throws DecryptionException if a frame failed authentication
     * @throws MessageTooLargeException if the peer announced a message over the limit
     * @throws ChannelProtocolException if the peer broke the record rules
     * @throws HandshakeException if the peer refused the connection right after the handshake
     * @throws IOException if the transport fails; after any exception the channel is closed
     */
    public byte[] receive() throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            byte[] message = null;
            int filled = 0;
            while (true) {
                int length = readRecord();
                int type = receiveRecord[0] & 0xff;
                switch (type) {
                    case ChannelRecords.DATA_FIRST -> {
                        if (message != null) {
                            throw violation("a new message started before the previous one was complete");
                        }
                        if (length < ChannelRecords.DATA_FIRST_HEADER_BYTES) {
                            throw violation("DATA_FIRST record of " + length + " bytes is shorter than its header");
                        }
                        long total = ChannelRecords.readInt(receiveRecord, 1) & 0xffffffffL;
                        if (total > maxMessageBytes) {
                            throw new MessageTooLargeException(total, maxMessageBytes);
                        }
                        int chunk = length - ChannelRecords.DATA_FIRST_HEADER_BYTES;
                        if (chunk > total) {
                            throw violation("DATA_FIRST record carries " + chunk + " bytes of a " + total + "-byte message");
                        }
                        message = new byte[(int) total];
                        System.arraycopy(receiveRecord, ChannelRecords.DATA_FIRST_HEADER_BYTES, message, 0, chunk);
                        filled = chunk;
                    }
                    case ChannelRecords.DATA_MORE -> {
                        if (message == null) {
                            throw violation("DATA_MORE record without a message in progress");
                        }
                        int chunk = length - ChannelRecords.DATA_MORE_HEADER_BYTES;
                        if (chunk == 0 || chunk > message.length - filled) {
                            throw violation("DATA_MORE record of " + chunk + " bytes where " + (message.length - filled)
                                    + " were missing");
                        }
                        System.arraycopy(receiveRecord, ChannelRecords.DATA_MORE_HEADER_BYTES, message, filled, chunk);
                        filled += chunk;
                    }
                    case ChannelRecords.CLOSE -> throw closeFromPeer(length);
                    default -> throw violation("unknown record type " + type);
                }
                if (message != null && filled == message.length) {
                    return message;
                }
            }
        } catch (IOException e) {
            closeQuietly();
            throw e;
        } finally {
            readLock.unlock();
        }
    }

    private int readRecord() throws IOException {
        Frame frame = transport.nextFrame();
        if (frame.length() < Aead.TAG_BYTES) {
            throw new DecryptionException("frame of " + frame.length() + " bytes from " + remotePeer.shortForm()
                    + " is too short to be a transport message", null);
        }
        int length;
        try {
            receiveRecord = fit(receiveRecord, frame.length() - Aead.TAG_BYTES);
            length = receiver.decryptWithAd(NO_AD, frame.array(), frame.offset(), frame.length(), receiveRecord, 0);
        } catch (AEADBadTagException e) {
            throw new DecryptionException("message from " + remotePeer.shortForm() + " at " + transport.remoteAddress()
                    + " failed authentication: tampered, replayed or not from the peer", e);
        } catch (NonceExhaustedException e) {
            throw new CrustException("secure channel from " + remotePeer.shortForm() + " used up its nonces", e);
        }
        if (++receivedSinceRekey == rekeyIntervalMessages) {
            receiver.rekey();
            receivedSinceRekey = 0;
        }
        if (length == 0) {
            throw violation("empty record");
        }
        return length;
    }

    private IOException closeFromPeer(int length) throws ChannelProtocolException {
        if (length < ChannelRecords.CLOSE_HEADER_BYTES) {
            throw violation("CLOSE record shorter than its header");
        }
        int code = receiveRecord[1] & 0xff;
        int textLength = ((receiveRecord[2] & 0xff) << 8) | (receiveRecord[3] & 0xff);
        if (textLength > ChannelRecords.MAX_CLOSE_TEXT_BYTES || textLength != length - ChannelRecords.CLOSE_HEADER_BYTES) {
            throw violation("CLOSE record text length " + textLength + " does not match the record");
        }
        String text = new String(receiveRecord, ChannelRecords.CLOSE_HEADER_BYTES, textLength, StandardCharsets.UTF_8);
        if (code == ChannelRecords.CLOSE_NORMAL) {
            return new EOFException("peer " + remotePeer.shortForm() + " closed the channel" + (text.isEmpty() ? "" : ": " + text));
        }
        return new HandshakeException(HandshakePayload.reasonOf(code), "peer " + remotePeer.shortForm() + " at "
                + transport.remoteAddress() + " refused the connection: " + text);
    }

    private ChannelProtocolException violation(String what) {
        return new ChannelProtocolException("peer " + remotePeer.shortForm() + " at " + transport.remoteAddress()
                + " broke the channel rules: " + what);
    }

    private void ensureOpen() throws CrustException {
        if (closed.get()) {
            throw new CrustException("secure channel to " + remotePeer.shortForm() + " is closed");
        }
    }

    /**
     * Closes the channel and its transport, unblocking a blocked {@link #receive()} or
     * {@link #send(byte[])}; idempotent. The peer sees the end of the transport.
     */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            transport.close();
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            // the failure that made us close matters more
        }
    }

    private static void closeQuietly(FrameTransport transport) {
        try {
            transport.close();
        } catch (IOException e) {
            // the handshake failure matters more
        }
    }

    @Override
    public String toString() {
        return "SecureChannel[" + remotePeer.shortForm() + " at " + transport.remoteAddress() + (isOpen() ? "" : ", closed") + "]";
    }
}
