package io.crust.core.handshake;

import io.crust.core.HandshakeException;
import io.crust.core.HandshakeException.Reason;
import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.frame.FrameTooLargeException;
import io.crust.core.frame.FrameTransport;
import io.crust.core.handshake.HandshakePayload.Hello;
import io.crust.core.handshake.HandshakePayload.IdentityProof;
import io.crust.core.handshake.HandshakePayload.Reject;
import io.crust.core.noise.AeadProvider;
import io.crust.core.noise.CipherState;
import io.crust.core.noise.HandshakeState;
import io.crust.core.noise.NoiseException;
import io.crust.core.noise.NoiseProtocol;
import io.crust.core.noise.NonceExhaustedException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.Function;
import javax.crypto.AEADBadTagException;

/**
 * Crust's use of {@code Noise_XX_25519_ChaChaPoly_SHA256}: three messages, each one frame.
 *
 * <pre>
 * -> e                    payload: Hello (protocol version, network tag), in clear
 * <- e, ee, s, es         payload: IdentityProof of the responder, or Reject
 * -> s, se                payload: IdentityProof of the initiator, or Reject
 * </pre>
 *
 * The initiator checks the responder's proof (version, network, signature, expected peer) before it
 * reveals its own identity; the responder checks version and network on message 1, before it reveals
 * its identity. A side that refuses tells the other why with a Reject payload (or, for the responder
 * after message 3, a CLOSE record on the new channel). See docs/handshake.md.
 */
final class XxHandshake {
    // Static state stays cheap to initialize: virtual threads that race to initialize a class wait
    // pinned to their carriers (JDK 24+ still pins there).
    static final NoiseProtocol PROTOCOL = NoiseProtocol.parse(NoiseProtocol.CRUST_PROTOCOL_NAME);
    /** Mixed into the handshake hash: a transcript of another protocol can never pass for this one. */
    static final byte[] PROLOGUE = "crust secure channel".getBytes(StandardCharsets.US_ASCII);

    /** The result of a completed handshake. */
    /** @param dialNumber the initiator's number for this dial ({@link DialNumbers}): the same at both ends */
    /** @param resume the initiator's resumption offer, null if none (the same at both ends) */
    record Established(CipherState sender, CipherState receiver, PeerId remotePeer, byte[] handshakeHash, long dialNumber,
            ResumeOffer resume) {
    }

    private XxHandshake() {
    }

    /** @param resumeOffers asked, once the responder has proved who it is, for an offer to it (null for none) */
    static Established initiate(FrameTransport transport, Identity me, PeerId expectedPeer, HandshakeParams params,
            Function<PeerId, ResumeOffer> resumeOffers) throws HandshakeException {
        HandshakeState state = newState(true, me);
        try (HandshakeDeadline deadline = HandshakeDeadline.start(transport, params.timeout())) {
            try {
                write(transport, state, Hello.of(params).encode());
                HandshakePayload reply = HandshakePayload.decode(read(transport, state));
                if (reply instanceof Reject reject) {
                    throw new HandshakeException(reject.reason(), "peer at " + transport.remoteAddress()
                            + " refused the handshake: " + reject.text());
                }
                if (!(reply instanceof IdentityProof proof)) {
                    throw new HandshakeException(Reason.PROTOCOL_VIOLATION, "peer at " + transport.remoteAddress()
                            + " answered with an unexpected handshake payload");
                }
                HandshakeException refusal = check(proof, state.remoteStaticKey(), params, expectedPeer, transport, true);
                if (refusal != null) {
                    tryWrite(transport, state, new Reject(refusal.reason(), textForPeer(refusal.reason(), params, expectedPeer)));
                    throw refusal;
                }
                long dialNumber = DialNumbers.next();
                ResumeOffer resume = resumeOffers.apply(proof.peerId());
                write(transport, state, identityProof(me, params, dialNumber, resume).encode());
                HandshakeState.TransportCiphers ciphers = state.split();
                return finish(deadline, new Established(ciphers.sender(), ciphers.receiver(), proof.peerId(),
                        state.handshakeHash(), dialNumber, resume), transport, params);
            } catch (IOException | GeneralSecurityException e) {
                throw translate(e, deadline, transport, params);
            }
        }
    }

    static Established respond(FrameTransport transport, Identity me, HandshakeParams params) throws HandshakeException {
        HandshakeState state = newState(false, me);
        try (HandshakeDeadline deadline = HandshakeDeadline.start(transport, params.timeout())) {
            try {
                HandshakePayload first = HandshakePayload.decode(read(transport, state));
                if (!(first instanceof Hello hello)) {
                    throw new HandshakeException(Reason.PROTOCOL_VIOLATION, "peer at " + transport.remoteAddress()
                            + " opened the handshake with an unexpected payload");
                }
                if (hello.protocolVersion() != params.protocolVersion()) {
                    tryWrite(transport, state, new Reject(Reason.VERSION_MISMATCH, "responder speaks protocol version "
                            + params.protocolVersion() + ", initiator version " + hello.protocolVersion()));
                    throw new HandshakeException(Reason.VERSION_MISMATCH, "peer at " + transport.remoteAddress()
                            + " speaks protocol version " + hello.protocolVersion() + ", we speak " + params.protocolVersion());
                }
                if (!MessageDigest.isEqual(hello.networkTag(), HandshakePayload.networkTag(params.networkName()))) {
                    tryWrite(transport, state, new Reject(Reason.NETWORK_MISMATCH, "responder is on network '"
                            + params.networkName() + "', the initiator on another one"));
                    throw new HandshakeException(Reason.NETWORK_MISMATCH, "peer at " + transport.remoteAddress()
                            + " is on another network than '" + params.networkName() + "'");
                }
                write(transport, state, identityProof(me, params, 0, null).encode());
                HandshakePayload last = HandshakePayload.decode(read(transport, state));
                if (last instanceof Reject reject) {
                    throw new HandshakeException(reject.reason(), "peer at " + transport.remoteAddress()
                            + " refused the handshake: " + reject.text());
                }
                if (!(last instanceof IdentityProof proof)) {
                    throw new HandshakeException(Reason.PROTOCOL_VIOLATION, "peer at " + transport.remoteAddress()
                            + " ended the handshake with an unexpected payload");
                }
                HandshakeState.TransportCiphers ciphers = state.split();
                HandshakeException refusal = check(proof, state.remoteStaticKey(), params, null, transport, false);
                if (refusal != null) {
                    // The handshake is complete on the initiator's side: tell it on the new channel.
                    ChannelRecords.tryWriteClose(transport, ciphers.sender(), refusal.reason(),
                            textForPeer(refusal.reason(), params, null));
                    throw refusal;
                }
                return finish(deadline, new Established(ciphers.sender(), ciphers.receiver(), proof.peerId(),
                        state.handshakeHash(), proof.dialNumber(), proof.resume()), transport, params);
            } catch (IOException | GeneralSecurityException e) {
                throw translate(e, deadline, transport, params);
            }
        }
    }

    /** The deadline may have fired just as the last message went through: then the transport is closed. */
    private static Established finish(HandshakeDeadline deadline, Established established, FrameTransport transport,
            HandshakeParams params) throws HandshakeException {
        deadline.close();
        if (deadline.expired()) {
            throw new HandshakeException(Reason.TIMEOUT, "handshake with peer at " + transport.remoteAddress()
                    + " did not finish within " + params.timeout());
        }
        return established;
    }

    private static HandshakeState newState(boolean initiator, Identity me) {
        return new HandshakeState(PROTOCOL, initiator, PROLOGUE, me.noiseStaticKeyPair(), null, null, null, List.of(),
                new SecureRandom(), AeadProvider.FASTEST);
    }

    /** @param dialNumber the initiator's number for this dial (message 3); 0 from the responder (message 2) */
    static IdentityProof identityProof(Identity me, HandshakeParams params, long dialNumber, ResumeOffer resume) {
        byte[] signature = me.sign(HandshakePayload.signedStaticKey(me.noiseStaticKeyPair().publicKey()));
        return new IdentityProof(params.protocolVersion(), params.networkName(), me.peerId(), signature, dialNumber, resume);
    }

    /** Null if the proof is acceptable, else the refusal to throw. */
    private static HandshakeException check(IdentityProof proof, byte[] remoteStaticKey, HandshakeParams params,
            PeerId expectedPeer, FrameTransport transport, boolean peerIsResponder) {
        String peer = "peer at " + transport.remoteAddress();
        if (proof.protocolVersion() != params.protocolVersion()) {
            return new HandshakeException(Reason.VERSION_MISMATCH, peer + " speaks protocol version "
                    + proof.protocolVersion() + ", we speak " + params.protocolVersion());
        }
        if (!proof.networkName().equals(params.networkName())) {
            return new HandshakeException(Reason.NETWORK_MISMATCH, peer + " is on network '" + proof.networkName()
                    + "', we are on '" + params.networkName() + "'");
        }
        if (!proof.provesStaticKey(remoteStaticKey)) {
            return new HandshakeException(Reason.AUTHENTICATION_FAILED, peer + " claimed identity " + proof.peerId()
                    + " without a valid signature over its Noise key (man in the middle?)");
        }
        if (peerIsResponder ? proof.dialNumber() != 0 : proof.dialNumber() <= 0) {
            return new HandshakeException(Reason.PROTOCOL_VIOLATION, peer + (peerIsResponder
                    ? " sent a dial number, which only the initiator sends" : " sent no positive dial number"));
        }
        if (peerIsResponder && proof.resume() != null) {
            return new HandshakeException(Reason.PROTOCOL_VIOLATION, peer + " sent a resumption offer, which only the initiator sends");
        }
        if (peerIsResponder && expectedPeer != null && !expectedPeer.equals(proof.peerId())) {
            return new HandshakeException(Reason.WRONG_PEER, "dialled peer " + expectedPeer + " at "
                    + transport.remoteAddress() + " but it proved identity " + proof.peerId());
        }
        return null;
    }

    private static String textForPeer(Reason reason, HandshakeParams params, PeerId expectedPeer) {
        return switch (reason) {
            case VERSION_MISMATCH -> "the other side speaks protocol version " + params.protocolVersion();
            case NETWORK_MISMATCH -> "the other side is on network '" + params.networkName() + "'";
            case WRONG_PEER -> "the other side dialled peer " + expectedPeer;
            case AUTHENTICATION_FAILED -> "the other side could not verify your identity signature";
            default -> "the other side refused: " + reason;
        };
    }

    private static void write(FrameTransport transport, HandshakeState state, byte[] payload)
            throws IOException, NonceExhaustedException, NoiseException {
        byte[] message = state.writeMessage(payload);
        transport.writeFrame(message, 0, message.length);
    }

    /** Sends a Reject as this side's next handshake message; the caller fails anyway, so errors are dropped. */
    private static void tryWrite(FrameTransport transport, HandshakeState state, Reject reject) {
        try {
            write(transport, state, reject.encode());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // best effort: the connection is about to be closed
        }
    }

    private static byte[] read(FrameTransport transport, HandshakeState state)
            throws IOException, AEADBadTagException, NoiseException, NonceExhaustedException {
        return state.readMessage(transport.readFrame());
    }

    private static HandshakeException translate(Exception e, HandshakeDeadline deadline, FrameTransport transport,
            HandshakeParams params) {
        String peer = "peer at " + transport.remoteAddress();
        if (e instanceof HandshakeException handshake) {
            return handshake;
        }
        if (deadline.expired()) {
            return new HandshakeException(Reason.TIMEOUT, "handshake with " + peer + " did not finish within "
                    + params.timeout(), e);
        }
        return switch (e) {
            case AEADBadTagException bad -> new HandshakeException(Reason.AUTHENTICATION_FAILED,
                    "handshake message from " + peer + " failed authentication", bad);
            case FrameTooLargeException large -> new HandshakeException(Reason.PROTOCOL_VIOLATION,
                    "handshake frame from " + peer + " too large: " + large.getMessage(), large);
            case NoiseException malformed -> new HandshakeException(Reason.PROTOCOL_VIOLATION,
                    "malformed handshake message from " + peer + ": " + malformed.getMessage(), malformed);
            case EOFException eof -> new HandshakeException(Reason.CLOSED, peer + " closed the connection during the handshake", eof);
            case IOException io -> new HandshakeException(Reason.CLOSED, "connection to " + peer
                    + " failed during the handshake: " + io.getMessage(), io);
            default -> new HandshakeException(Reason.PROTOCOL_VIOLATION, "handshake with " + peer + " failed: " + e, e);
        };
    }
}
