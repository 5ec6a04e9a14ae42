package io.crust.core.noise;

import io.crust.core.noise.HandshakePattern.Token;
import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import javax.crypto.AEADBadTagException;

/**
 * A HandshakeState of the Noise Protocol Framework, revision 34, section 5.3: runs one side of a
 * handshake pattern message by message, then {@link #split()}s into transport CipherStates.
 *
 * <p>Pure protocol logic: bytes in, bytes out, no I/O. Not thread-safe.
 */
public final class HandshakeState {
    /** "All Noise messages are less than or equal to 65535 bytes in length" (section 3). */
    public static final int MAX_MESSAGE_BYTES = 65535;

    private final NoiseProtocol protocol;
    private final boolean initiator;
    private final SymmetricState symmetric;
    private final DhKeyPair localStatic;
    private DhKeyPair localEphemeral;
    private byte[] remoteStatic;
    private byte[] remoteEphemeral;
    private final Deque<byte[]> psks;
    private final SecureRandom random;
    private int messageIndex;

    /**
     * Initialize(handshake_pattern, initiator, prologue, s, e, rs, re) with pre-shared keys.
     *
     * @param localStatic s, or null if the pattern does not need it
     * @param localEphemeral e, normally null (generated when sent); test vectors fix it
     * @param remoteStatic rs if known beforehand, else null
     * @param remoteEphemeral re if known beforehand, else null
     * @param psks the pre-shared keys (32 bytes each) in the order the psk tokens use them
     */
    public HandshakeState(NoiseProtocol protocol, boolean initiator, byte[] prologue, DhKeyPair localStatic,
            DhKeyPair localEphemeral, byte[] remoteStatic, byte[] remoteEphemeral, List<byte[]> psks,
            SecureRandom random, AeadProvider provider) {
        this.protocol = protocol;
        this.initiator = initiator;
        this.symmetric = new SymmetricState(protocol, provider);
        this.localStatic = localStatic;
        this.localEphemeral = localEphemeral;
        this.remoteStatic = remoteStatic == null ? null : remoteStatic.clone();
        this.remoteEphemeral = remoteEphemeral == null ? null : remoteEphemeral.clone();
        this.psks = new ArrayDeque<>();
        for (byte[] psk : psks) {
            if (psk.length != 32) {
                throw new IllegalArgumentException("a Noise pre-shared key has 32 bytes, got " + psk.length);
            }
            this.psks.add(psk.clone());
        }
        if (this.psks.size() != protocol.pattern().pskCount()) {
            throw new IllegalArgumentException(protocol.name() + " needs " + protocol.pattern().pskCount()
                    + " pre-shared keys, got " + psks.size());
        }
        this.random = random;
        symmetric.mixHash(prologue);
        HandshakePattern pattern = protocol.pattern();
        mixPreMessage(pattern.initiatorPreMessage(), initiator);
        mixPreMessage(pattern.responderPreMessage(), !initiator);
    }

    private void mixPreMessage(List<Token> tokens, boolean local) {
        for (Token token : tokens) {
            byte[] key = switch (token) {
                case S -> local ? required(localStatic, "local static key").publicKey() : required(remoteStatic, "remote static key");
                case E -> local ? required(localEphemeral, "local ephemeral key").publicKey() : required(remoteEphemeral, "remote ephemeral key");
                default -> throw new IllegalStateException("token " + token + " in a pre-message");
            };
            symmetric.mixHash(key);
            if (token == Token.E && protocol.pattern().pskMode()) {
                symmetric.mixKey(key);
            }
        }
    }

    private <T> T required(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(protocol.name() + " needs the " + what + " of the "
                    + (initiator ? "initiator" : "responder") + " side");
        }
        return value;
    }

    /** True when it is this side's turn to write a handshake message. */
    public boolean isMyTurn() {
        return !isComplete() && (messageIndex % 2 == 0) == initiator;
    }

    /** True when every handshake message has been written or read. */
    public boolean isComplete() {
        return messageIndex >= protocol.pattern().messages().size();
    }

    /**
     * WriteMessage(payload, message_buffer): the next handshake message carrying {@code payload}.
     *
     * @throws IllegalStateException if it is not this side's turn
     * @throws IllegalArgumentException if the message would exceed 65535 bytes
     */
    public byte[] writeMessage(byte[] payload) throws NonceExhaustedException, NoiseException {
        if (!isMyTurn()) {
            throw new IllegalStateException("not this side's turn to write a handshake message");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Token token : protocol.pattern().messages().get(messageIndex)) {
            switch (token) {
                case E -> {
                    if (localEphemeral == null) {
                        localEphemeral = protocol.dh().generateKeyPair(random);
                    }
                    byte[] publicKey = localEphemeral.publicKey();
                    out.writeBytes(publicKey);
                    symmetric.mixHash(publicKey);
                    if (protocol.pattern().pskMode()) {
                        symmetric.mixKey(publicKey);
                    }
                }
                case S -> out.writeBytes(symmetric.encryptAndHash(required(localStatic, "local static key").publicKey()));
                case PSK -> symmetric.mixKeyAndHash(psks.removeFirst());
                default -> mixDh(token);
            }
        }
        out.writeBytes(symmetric.encryptAndHash(payload));
        messageIndex++;
        if (out.size() > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("handshake message of " + out.size() + " bytes exceeds " + MAX_MESSAGE_BYTES);
        }
        return out.toByteArray();
    }

    /**
     * ReadMessage(message, payload_buffer): checks the next handshake message and returns its payload.
     *
     * @throws AEADBadTagException if an encrypted part does not authenticate
     * @throws NoiseException if the message is too short or too long, or carries a low-order key
     */
    public byte[] readMessage(byte[] message) throws AEADBadTagException, NoiseException, NonceExhaustedException {
        if (isComplete() || isMyTurn()) {
            throw new NoiseException("unexpected handshake message: it is not the other side's turn");
        }
        if (message.length > MAX_MESSAGE_BYTES) {
            throw new NoiseException("handshake message of " + message.length + " bytes exceeds " + MAX_MESSAGE_BYTES);
        }
        int dhLen = protocol.dh().dhLen();
        int offset = 0;
        for (Token token : protocol.pattern().messages().get(messageIndex)) {
            switch (token) {
                case E -> {
                    remoteEphemeral = slice(message, offset, dhLen, "ephemeral key");
                    offset += dhLen;
                    symmetric.mixHash(remoteEphemeral);
                    if (protocol.pattern().pskMode()) {
                        symmetric.mixKey(remoteEphemeral);
                    }
                }
                case S -> {
                    int length = dhLen + (symmetric.hasKey() ? Aead.TAG_BYTES : 0);
                    byte[] encrypted = slice(message, offset, length, "static key");
                    offset += length;
                    remoteStatic = symmetric.decryptAndHash(encrypted);
                }
                case PSK -> symmetric.mixKeyAndHash(psks.removeFirst());
                default -> mixDh(token);
            }
        }
        byte[] rest = Arrays.copyOfRange(message, offset, message.length);
        if (symmetric.hasKey() && rest.length < Aead.TAG_BYTES) {
            throw new NoiseException("handshake message too short for its payload tag");
        }
        byte[] payload = symmetric.decryptAndHash(rest);
        messageIndex++;
        return payload;
    }

    private static byte[] slice(byte[] message, int offset, int length, String what) throws NoiseException {
        if (message.length - offset < length) {
            throw new NoiseException("handshake message of " + message.length + " bytes too short for its " + what);
        }
        return Arrays.copyOfRange(message, offset, offset + length);
    }

    private void mixDh(Token token) throws NoiseException {
        // es: the initiator's ephemeral with the responder's static; se: the other way round.
        DhKeyPair local;
        byte[] remote;
        switch (token) {
            case EE -> { local = localEphemeral; remote = remoteEphemeral; }
            case SS -> { local = localStatic; remote = remoteStatic; }
            case ES -> { local = initiator ? localEphemeral : localStatic; remote = initiator ? remoteStatic : remoteEphemeral; }
            case SE -> { local = initiator ? localStatic : localEphemeral; remote = initiator ? remoteEphemeral : remoteStatic; }
            default -> throw new IllegalStateException("not a DH token: " + token);
        }
        byte[] shared;
        try {
            shared = protocol.dh().dh(required(local, "key for " + token), required(remote, "remote key for " + token));
        } catch (IllegalArgumentException lowOrder) {
            throw new NoiseException("DH " + token + " failed: " + lowOrder.getMessage());
        }
        symmetric.mixKey(shared);
        Arrays.fill(shared, (byte) 0);
    }

    /** The handshake hash h, a unique identifier of this handshake (section 11.2). */
    public byte[] handshakeHash() {
        return symmetric.handshakeHash();
    }

    /** The remote side's static public key, once received or given. */
    public byte[] remoteStaticKey() {
        return remoteStatic == null ? null : remoteStatic.clone();
    }

    /** The protocol this state runs. */
    public NoiseProtocol protocol() {
        return protocol;
    }

    /**
     * Split() after the last handshake message: this side's sending and receiving CipherState.
     *
     * @throws IllegalStateException before the handshake is complete
     */
    public TransportCiphers split() {
        if (!isComplete()) {
            throw new IllegalStateException("handshake not complete");
        }
        CipherState[] pair = symmetric.split();
        return initiator ? new TransportCiphers(pair[0], pair[1]) : new TransportCiphers(pair[1], pair[0]);
    }

    /** The two transport CipherStates of one side. */
    public record TransportCiphers(CipherState sender, CipherState receiver) {
    }
}
