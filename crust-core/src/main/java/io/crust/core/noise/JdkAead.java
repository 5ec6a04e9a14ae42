package io.crust.core.noise;

import java.security.GeneralSecurityException;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** An {@link Aead} computed by the JDK's javax.crypto providers. */
final class JdkAead implements Aead {
    private final CipherFunction function;
    private final SecretKeySpec key;
    private final Cipher cipher;

    JdkAead(CipherFunction function, byte[] key) {
        this.function = function;
        this.key = new SecretKeySpec(key, function == CipherFunction.CHACHAPOLY ? "ChaCha20" : "AES");
        try {
            this.cipher = Cipher.getInstance(function == CipherFunction.CHACHAPOLY ? "ChaCha20-Poly1305" : "AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + function.noiseName(), e);
        }
    }

    private AlgorithmParameterSpec parameters(long nonce) {
        byte[] iv = function.nonce(nonce);
        return function == CipherFunction.CHACHAPOLY ? new IvParameterSpec(iv) : new GCMParameterSpec(TAG_BYTES * 8, iv);
    }

    @Override
    public void encrypt(long nonce, byte[] ad, byte[] in, int offset, int length, byte[] out, int outOffset) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, parameters(nonce));
            if (ad.length > 0) {
                cipher.updateAAD(ad);
            }
            cipher.doFinal(in, offset, length, out, outOffset);
        } catch (GeneralSecurityException e) {
            // Only reachable through a programming error: a repeated nonce or a short output buffer.
            throw new IllegalStateException("encryption failed", e);
        }
    }

    @Override
    public void decrypt(long nonce, byte[] ad, byte[] in, int offset, int length, byte[] out, int outOffset)
            throws AEADBadTagException {
        if (length < TAG_BYTES) {
            throw new AEADBadTagException("ciphertext of " + length + " bytes is shorter than its tag");
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, parameters(nonce));
            if (ad.length > 0) {
                cipher.updateAAD(ad);
            }
            cipher.doFinal(in, offset, length, out, outOffset);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed", e);
        }
    }
}
