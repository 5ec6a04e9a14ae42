package io.crust.core.noise;

import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/**
 * A CipherState of the Noise Protocol Framework, revision 34, section 5.1: a key {@code k} (or none)
 * and a 64-bit nonce counter {@code n} that counts every message encrypted or decrypted under it.
 *
 * <p>"The nonce n ... is incremented after each encryption or decryption"; "n = 2^64-1 is reserved"
 * for rekeying, so a state that reaches it refuses to go on ({@link NonceExhaustedException}) rather
 * than ever repeat a nonce. Not thread-safe: the secure channel holds a lock around each direction.
 */
public final class CipherState {
    /** The reserved nonce 2^64-1 (all ones). */
    static final long MAX_NONCE = -1L;
    private static final byte[] EMPTY = new byte[0];

    private final CipherFunction function;
    private final AeadProvider provider;
    private byte[] key;
    private Aead aead;
    private long nonce;

    /** A CipherState without a key: encryption passes plaintext through. */
    public CipherState(CipherFunction function, AeadProvider provider) {
        this.function = function;
        this.provider = provider;
    }

    /** InitializeKey(key): sets the key (32 bytes, or null for none) and resets the nonce to 0. */
    public void initializeKey(byte[] newKey) {
        if (key != null) {
            Arrays.fill(key, (byte) 0);
        }
        key = newKey == null ? null : newKey.clone();
        aead = newKey == null ? null : provider.newAead(function, key);
        nonce = 0;
    }

    AeadProvider provider() {
        return provider;
    }

    /** HasKey(). */
    public boolean hasKey() {
        return key != null;
    }

    /** The next nonce this state will use. */
    public long nonce() {
        return nonce;
    }

    /** SetNonce(nonce): only for tests and for protocols with out-of-order delivery. */
    public void setNonce(long n) {
        this.nonce = n;
    }

    /** EncryptWithAd(ad, plaintext): the ciphertext (plaintext + 16 bytes), or a copy of the plaintext without a key. */
    public byte[] encryptWithAd(byte[] ad, byte[] plaintext) throws NonceExhaustedException {
        byte[] out = new byte[plaintext.length + (hasKey() ? Aead.TAG_BYTES : 0)];
        encryptWithAd(ad, plaintext, 0, plaintext.length, out, 0);
        return out;
    }

    /**
     * EncryptWithAd into {@code out}; returns the number of bytes written.
     *
     * @throws NonceExhaustedException when the nonce reached 2^64-1: the key must not be used again
     */
    public int encryptWithAd(byte[] ad, byte[] in, int offset, int length, byte[] out, int outOffset)
            throws NonceExhaustedException {
        if (!hasKey()) {
            System.arraycopy(in, offset, out, outOffset, length);
            return length;
        }
        checkNonce();
        aead.encrypt(nonce, ad, in, offset, length, out, outOffset);
        nonce++;
        return length + Aead.TAG_BYTES;
    }

    /** DecryptWithAd(ad, ciphertext): the plaintext, or a copy of the ciphertext without a key. */
    public byte[] decryptWithAd(byte[] ad, byte[] ciphertext) throws AEADBadTagException, NonceExhaustedException {
        if (hasKey() && ciphertext.length < Aead.TAG_BYTES) {
            throw new AEADBadTagException("ciphertext of " + ciphertext.length + " bytes is shorter than its tag");
        }
        byte[] out = new byte[ciphertext.length - (hasKey() ? Aead.TAG_BYTES : 0)];
        decryptWithAd(ad, ciphertext, 0, ciphertext.length, out, 0);
        return out;
    }

    /**
     * DecryptWithAd into {@code out}; returns the number of bytes written. On an authentication failure
     * the nonce is not advanced, as the specification requires.
     */
    public int decryptWithAd(byte[] ad, byte[] in, int offset, int length, byte[] out, int outOffset)
            throws AEADBadTagException, NonceExhaustedException {
        if (!hasKey()) {
            System.arraycopy(in, offset, out, outOffset, length);
            return length;
        }
        checkNonce();
        aead.decrypt(nonce, ad, in, offset, length, out, outOffset);
        nonce++;
        return length - Aead.TAG_BYTES;
    }

    /**
     * Rekey() of section 4.2 and 11.3: k = the first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero
     * bytes). The nonce is kept. Both sides rekey at the same message count, so no signal is needed.
     */
    public void rekey() {
        if (!hasKey()) {
            throw new IllegalStateException("cannot rekey a CipherState without a key");
        }
        byte[] zeros = new byte[32];
        byte[] out = new byte[32 + Aead.TAG_BYTES];
        aead.encrypt(MAX_NONCE, EMPTY, zeros, 0, zeros.length, out, 0);
        long keptNonce = nonce;
        byte[] newKey = Arrays.copyOf(out, 32);
        initializeKey(newKey);
        nonce = keptNonce;
        Arrays.fill(newKey, (byte) 0);
        Arrays.fill(out, (byte) 0);
    }

    /** Forgets the key. */
    public void destroy() {
        initializeKey(null);
    }

    private void checkNonce() throws NonceExhaustedException {
        if (nonce == MAX_NONCE) {
            throw new NonceExhaustedException();
        }
    }
}
