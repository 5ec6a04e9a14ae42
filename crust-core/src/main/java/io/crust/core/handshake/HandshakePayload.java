package io.crust.core.handshake;

import io.crust.core.HandshakeException;
import io.crust.core.HandshakeException.Reason;
import io.crust.core.PeerId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The payloads Crust puts into the three Noise XX handshake messages. All integers are big-endian.
 * The first three bytes (type and protocol version) keep their meaning in every future version, so
 * peers of different versions can always tell each other so.
 *
 * <pre>
 * Hello (message 1, sent in clear: Noise has no key yet)
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   type = 1    |       protocol version        |  network tag  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               +
 * |            (8 bytes: SHA-256("crust-network:" || name))       |
 * +                                               +-+-+-+-+-+-+-+-+
 * |                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IdentityProof (message 2 from the responder, message 3 from the initiator; encrypted)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   type = 2    |       protocol version        |  name length  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                network name (UTF-8, 1..255 bytes)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Ed25519 identity public key (32 bytes)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Ed25519 signature of "crust-noise-static-key:" || the       |
 * |   sender's X25519 Noise static public key (64 bytes)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   dial number (8 bytes): the initiator's number for this      |
 * |   dial, positive, in message 3; 0 in message 2                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   optional, message 3 only: resumption offer (24 bytes): the  |
 * |   failed connection's tag (16 bytes), then how many of its    |
 * |   APP messages the initiator delivered (8 bytes)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Reject (instead of an IdentityProof, in message 2 or 3; encrypted)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   type = 3    |  reason code  |        text length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  text (UTF-8, 0..512 bytes)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
sealed interface HandshakePayload {
    int TYPE_HELLO = 1;
    int TYPE_IDENTITY = 2;
    int TYPE_REJECT = 3;
    int NETWORK_TAG_BYTES = 8;
    int SIGNATURE_BYTES = 64;
    int DIAL_NUMBER_BYTES = 8;
    int MAX_REJECT_TEXT_BYTES = 512;
    /** Domain separation: the signature can never be mistaken for a signature of anything else. */
    byte[] STATIC_KEY_SIGNATURE_PREFIX = "crust-noise-static-key:".getBytes(StandardCharsets.US_ASCII);

    /** Message 1: what the initiator speaks, without naming its network in clear. */
    record Hello(int protocolVersion, byte[] networkTag) implements HandshakePayload {
        static Hello of(HandshakeParams params) {
            return new Hello(params.protocolVersion(), HandshakePayload.networkTag(params.networkName()));
        }

        @Override
        public byte[] encode() {
            return ByteBuffer.allocate(3 + NETWORK_TAG_BYTES).put((byte) TYPE_HELLO).putShort((short) protocolVersion)
                    .put(networkTag).array();
        }
    }

    /**
     * Messages 2 and 3: who the sender is, proved by a signature over its Noise static key; from the
     * initiator also its number for this dial ({@link DialNumbers}), which ranks connections alike at
     * both ends, and, when the connection is to continue a failed one, its {@link ResumeOffer} (else null).
     */
    record IdentityProof(int protocolVersion, String networkName, PeerId peerId, byte[] signature, long dialNumber,
            ResumeOffer resume) implements HandshakePayload {
        @Override
        public byte[] encode() {
            byte[] name = networkName.getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(4 + name.length + PeerId.KEY_BYTES + SIGNATURE_BYTES + DIAL_NUMBER_BYTES
                    + (resume == null ? 0 : ResumeOffer.ENCODED_BYTES))
                    .put((byte) TYPE_IDENTITY).putShort((short) protocolVersion).put((byte) name.length).put(name)
                    .put(peerId.publicKey()).put(signature).putLong(dialNumber);
            if (resume != null) {
                out.put(resume.connection()).putLong(resume.delivered());
            }
            return out.array();
        }

        /** True if the signature binds this identity to the given Noise static public key. */
        boolean provesStaticKey(byte[] noiseStaticPublicKey) {
            return peerId.verify(signedStaticKey(noiseStaticPublicKey), signature);
        }
    }

    /** A refusal with its reason, sent instead of an identity proof. */
    record Reject(Reason reason, String text) implements HandshakePayload {
        @Override
        public byte[] encode() {
            byte[] bytes = truncateUtf8(text, MAX_REJECT_TEXT_BYTES);
            return ByteBuffer.allocate(4 + bytes.length).put((byte) TYPE_REJECT).put((byte) reasonCode(reason))
                    .putShort((short) bytes.length).put(bytes).array();
        }
    }

    /** The payload's bytes. */
    byte[] encode();

    /** The bytes an identity signs: the prefix followed by the Noise static public key. */
    static byte[] signedStaticKey(byte[] noiseStaticPublicKey) {
        byte[] message = Arrays.copyOf(STATIC_KEY_SIGNATURE_PREFIX, STATIC_KEY_SIGNATURE_PREFIX.length + noiseStaticPublicKey.length);
        System.arraycopy(noiseStaticPublicKey, 0, message, STATIC_KEY_SIGNATURE_PREFIX.length, noiseStaticPublicKey.length);
        return message;
    }

    /** The first 8 bytes of SHA-256("crust-network:" || UTF-8 name). */
    static byte[] networkTag(String networkName) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("crust-network:".getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(sha256.digest(networkName.getBytes(StandardCharsets.UTF_8)), NETWORK_TAG_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Decodes a payload, validating every length before reading.
     *
     * @throws HandshakeException with {@link Reason#PROTOCOL_VIOLATION} if malformed, or
     *     {@link Reason#VERSION_MISMATCH} for a type this version does not know (a newer peer)
     */
    static HandshakePayload decode(byte[] bytes) throws HandshakeException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        require(in, 1, "payload type");
        int type = in.get() & 0xff;
        switch (type) {
            case TYPE_HELLO -> {
                require(in, 2 + NETWORK_TAG_BYTES, "hello");
                int version = in.getShort() & 0xffff;
                byte[] tag = new byte[NETWORK_TAG_BYTES];
                in.get(tag);
                requireEnd(in, "hello");
                return new Hello(version, tag);
            }
            case TYPE_IDENTITY -> {
                require(in, 3, "identity header");
                int version = in.getShort() & 0xffff;
                int nameLength = in.get() & 0xff;
                if (nameLength == 0) {
                    throw violation("identity payload has an empty network name");
                }
                require(in, nameLength + PeerId.KEY_BYTES + SIGNATURE_BYTES + DIAL_NUMBER_BYTES, "identity");
                String name = decodeUtf8(in, nameLength);
                byte[] key = new byte[PeerId.KEY_BYTES];
                in.get(key);
                byte[] signature = new byte[SIGNATURE_BYTES];
                in.get(signature);
                long dialNumber = in.getLong();
                ResumeOffer resume = null;
                if (in.remaining() == ResumeOffer.ENCODED_BYTES) {
                    byte[] tag = new byte[ResumeOffer.TAG_BYTES];
                    in.get(tag);
                    long delivered = in.getLong();
                    if (delivered < 0) {
                        throw violation("resumption offer with a negative count: " + delivered);
                    }
                    resume = new ResumeOffer(tag, delivered);
                }
                requireEnd(in, "identity");
                PeerId peerId;
                try {
                    peerId = PeerId.fromPublicKey(key);
                } catch (IllegalArgumentException e) {
                    throw new HandshakeException(Reason.AUTHENTICATION_FAILED, "peer sent an invalid identity key", e);
                }
                return new IdentityProof(version, name, peerId, signature, dialNumber, resume);
            }
            case TYPE_REJECT -> {
                require(in, 3, "reject header");
                Reason reason = reasonOf(in.get() & 0xff);
                int textLength = in.getShort() & 0xffff;
                if (textLength > MAX_REJECT_TEXT_BYTES) {
                    throw violation("reject text of " + textLength + " bytes exceeds " + MAX_REJECT_TEXT_BYTES);
                }
                require(in, textLength, "reject text");
                String text = decodeUtf8(in, textLength);
                requireEnd(in, "reject");
                return new Reject(reason, text);
            }
            default -> throw violation("unknown handshake payload type " + type);
        }
    }

    /** Wire code of a reason; 0 is unused so an all-zero byte never means anything. */
    static int reasonCode(Reason reason) {
        return switch (reason) {
            case NETWORK_MISMATCH -> 1;
            case VERSION_MISMATCH -> 2;
            case WRONG_PEER -> 3;
            case AUTHENTICATION_FAILED -> 4;
            case PROTOCOL_VIOLATION -> 5;
            case TIMEOUT -> 6;
            case CLOSED -> 7;
        };
    }

    /** The reason of a wire code; unknown codes (from newer peers) read as a protocol violation. */
    static Reason reasonOf(int code) {
        for (Reason reason : Reason.values()) {
            if (reasonCode(reason) == code) {
                return reason;
            }
        }
        return Reason.PROTOCOL_VIOLATION;
    }

    private static void require(ByteBuffer in, int bytes, String what) throws HandshakeException {
        if (in.remaining() < bytes) {
            throw violation("handshake payload too short for its " + what + ": " + in.remaining() + " of " + bytes + " bytes");
        }
    }

    private static void requireEnd(ByteBuffer in, String what) throws HandshakeException {
        if (in.hasRemaining()) {
            throw violation(in.remaining() + " unexpected bytes after the " + what + " payload");
        }
    }

    private static String decodeUtf8(ByteBuffer in, int length) throws HandshakeException {
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw violation("handshake payload text is not valid UTF-8");
        }
    }

    private static byte[] truncateUtf8(String text, int maxBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xc0) == 0x80) {
            end--; // do not cut a multi-byte character
        }
        return Arrays.copyOf(bytes, end);
    }

    private static HandshakeException violation(String message) {
        return new HandshakeException(Reason.PROTOCOL_VIOLATION, message);
    }
}
