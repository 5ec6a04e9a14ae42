package io.crust.core.noise;

import javax.crypto.AEADBadTagException;

/**
 * One AEAD key: ENCRYPT(k, n, ad, plaintext) and DECRYPT(k, n, ad, ciphertext) of the Noise
 * specification, revision 34, section 4.2. The tag is 16 bytes. Implementations are not thread-safe;
 * {@link CipherState} callers serialise access.
 */
public interface Aead {
    /** Length of the authentication tag in bytes. */
    int TAG_BYTES = 16;

    /** Writes {@code length + 16} bytes of ciphertext and tag to {@code out} at {@code outOffset}. */
    void encrypt(long nonce, byte[] ad, byte[] in, int offset, int length, byte[] out, int outOffset);

    /**
     * Writes {@code length - 16} bytes of plaintext to {@code out} at {@code outOffset}.
     *
     * @throws AEADBadTagException if the ciphertext, nonce or associated data do not authenticate
     */
    void decrypt(long nonce, byte[] ad, byte[] in, int offset, int length, byte[] out, int outOffset)
            throws AEADBadTagException;
}
