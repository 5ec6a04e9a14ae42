package io.crust.core.noise;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/**
 * A SymmetricState of the Noise Protocol Framework, revision 34, section 5.2: the chaining key
 * {@code ck}, the handshake hash {@code h} and a {@link CipherState}.
 */
public final class SymmetricState {
    private final NoiseProtocol protocol;
    private final CipherState cipherState;
    private byte[] chainingKey;
    private byte[] handshakeHash;

    /** InitializeSymmetric(protocol_name). */
    public SymmetricState(NoiseProtocol protocol, AeadProvider provider) {
        this.protocol = protocol;
        this.cipherState = new CipherState(protocol.cipher(), provider);
        byte[] name = protocol.name().getBytes(StandardCharsets.US_ASCII);
        int hashLen = protocol.hash().hashLen();
        // "If protocol_name is less than or equal to HASHLEN bytes in length, sets h equal to
        // protocol_name with zero bytes appended to make HASHLEN bytes. Otherwise sets h = HASH(protocol_name)."
        handshakeHash = name.length <= hashLen ? Arrays.copyOf(name, hashLen) : protocol.hash().hash(name, new byte[0]);
        chainingKey = handshakeHash.clone();
    }

    /** MixKey(input_key_material). */
    public void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = protocol.hash().hkdf(chainingKey, inputKeyMaterial, 2);
        chainingKey = out[0];
        cipherState.initializeKey(truncateKey(out[1]));
    }

    /** MixHash(data): h = HASH(h || data). */
    public void mixHash(byte[] data) {
        handshakeHash = protocol.hash().hash(handshakeHash, data);
    }

    /** MixKeyAndHash(input_key_material), used for pre-shared keys. */
    public void mixKeyAndHash(byte[] inputKeyMaterial) {
        byte[][] out = protocol.hash().hkdf(chainingKey, inputKeyMaterial, 3);
        chainingKey = out[0];
        mixHash(out[1]);
        cipherState.initializeKey(truncateKey(out[2]));
    }

    /** GetHandshakeHash(). */
    public byte[] handshakeHash() {
        return handshakeHash.clone();
    }

    /** Whether a key has been mixed in yet. */
    public boolean hasKey() {
        return cipherState.hasKey();
    }

    /** EncryptAndHash(plaintext). */
    public byte[] encryptAndHash(byte[] plaintext) throws NonceExhaustedException {
        byte[] ciphertext = cipherState.encryptWithAd(handshakeHash, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    /** DecryptAndHash(ciphertext). */
    public byte[] decryptAndHash(byte[] ciphertext) throws AEADBadTagException, NonceExhaustedException {
        byte[] plaintext = cipherState.decryptWithAd(handshakeHash, ciphertext);
        mixHash(ciphertext);
        return plaintext;
    }

    /** Split(): the initiator's sending and the responder's sending CipherState, in that order. */
    public CipherState[] split() {
        byte[][] out = protocol.hash().hkdf(chainingKey, new byte[0], 2);
        CipherState first = new CipherState(protocol.cipher(), cipherState.provider());
        CipherState second = new CipherState(protocol.cipher(), cipherState.provider());
        first.initializeKey(truncateKey(out[0]));
        second.initializeKey(truncateKey(out[1]));
        Arrays.fill(out[0], (byte) 0);
        Arrays.fill(out[1], (byte) 0);
        Arrays.fill(chainingKey, (byte) 0);
        cipherState.destroy();
        return new CipherState[] {first, second};
    }

    /** "If HASHLEN is 64, then truncates temp_k to 32 bytes." */
    private static byte[] truncateKey(byte[] tempKey) {
        return tempKey.length == 32 ? tempKey : Arrays.copyOf(tempKey, 32);
    }
}
