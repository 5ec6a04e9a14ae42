package io.crust.core.handshake;

import io.crust.core.HandshakeException;
import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.frame.FrameTransport;
import java.io.IOException;

/**
 * An encrypted, mutually authenticated channel over a {@link FrameTransport}, set up by the Noise XX
 * handshake ({@code Noise_XX_25519_ChaChaPoly_SHA256}); see docs/handshake.md.
 *
 * <p>One thread may {@link #receive()} while other threads {@link #send(byte[])}.
 */
public final class SecureChannel implements AutoCloseable {

    private SecureChannel() {
    }

    /**
     * Runs the handshake as initiator (the side that dialled).
     *
     * @param expectedPeer the peer that must answer, or null to accept any peer of the network
     * @throws HandshakeException if the handshake fails; the transport is closed
     */
    public static SecureChannel initiate(FrameTransport transport, Identity me, PeerId expectedPeer, HandshakeParams params)
            throws HandshakeException, IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Runs the handshake as responder (the side that accepted).
     *
     * @throws HandshakeException if the handshake fails; the transport is closed
     */
    public static SecureChannel respond(FrameTransport transport, Identity me, HandshakeParams params)
            throws HandshakeException, IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The authenticated identity of the other side. */
    public PeerId remotePeer() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The Noise handshake hash: equal on both sides, unique to this channel (channel binding). */
    public byte[] handshakeHash() {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Encrypts and sends one message of at most {@link HandshakeParams#maxMessageBytes()} bytes.
     *
     * @throws IllegalArgumentException if the message is too large
     * @throws IOException if the channel is closed or the transport fails
     */
    public void send(byte[] message) throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * Blocks until the next whole message arrives.
     *
     * @throws java.io.EOFException if the peer closed the channel cleanly
     * @throws DecryptionException if a message failed authentication (the channel is then closed)
     * @throws MessageTooLargeException if the peer announced a message over the limit
     * @throws ChannelProtocolException if the peer broke the framing rules
     */
    public byte[] receive() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** Closes the channel and its transport; idempotent. */
    @Override
    public void close() throws IOException {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
