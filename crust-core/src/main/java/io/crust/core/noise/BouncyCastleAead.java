package io.crust.core.noise;

import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.AEADCipher;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** An {@link Aead} computed by BouncyCastle's lightweight API. */
final class BouncyCastleAead implements Aead {
    private final CipherFunction function;
    private final KeyParameter key;
    private final AEADCipher cipher;

    BouncyCastleAead(CipherFunction function, byte[] key) {
        this.function = function;
        this.key = new KeyParameter(key);
        this.cipher = function == CipherFunction.CHACHAPOLY
                ? new ChaCha20Poly1305()
                : GCMBlockCipher.newInstance(AESEngine.newInstance());
    }

    @Override
    public void encrypt(long nonce, byte[] ad, byte[] in, int offset, int length, byte[] out, int outOffset) {
        cipher.init(true, new AEADParameters(key, TAG_BYTES * 8, function.nonce(nonce), ad));
        int written = cipher.processBytes(in, offset, length, out, outOffset);
        try {
            cipher.doFinal(out, outOffset + written);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    @Override
    public void decrypt(long nonce, byte[] ad, byte[] in, int offset, int length, byte[] out, int outOffset)
            throws AEADBadTagException {
        if (length < TAG_BYTES) {
            throw new AEADBadTagException("ciphertext of " + length + " bytes is shorter than its tag");
        }
        cipher.init(false, new AEADParameters(key, TAG_BYTES * 8, function.nonce(nonce), ad));
        int written = cipher.processBytes(in, offset, length, out, outOffset);
        try {
            cipher.doFinal(out, outOffset + written);
        } catch (InvalidCipherTextException e) {
            throw new AEADBadTagException("authentication tag mismatch");
        }
    }
}
