package io.crust.core.noise;

/**
 * The cipher functions of the Noise Protocol Framework, revision 34, section 12.3 (ChaChaPoly:
 * ChaCha20-Poly1305 of RFC 8439, nonce = 32 zero bits then the 64-bit counter little-endian) and
 * 12.4 (AESGCM: AES-256-GCM, nonce = 32 zero bits then the counter big-endian).
 */
public enum CipherFunction {
    CHACHAPOLY("ChaChaPoly"),
    AESGCM("AESGCM");

    private final String noiseName;

    CipherFunction(String noiseName) {
        this.noiseName = noiseName;
    }

    /** The name used in a Noise protocol name. */
    public String noiseName() {
        return noiseName;
    }

    /** The 12-byte AEAD nonce of a Noise counter {@code n}. */
    byte[] nonce(long n) {
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) {
            int shift = 8 * i;
            if (this == CHACHAPOLY) {
                nonce[4 + i] = (byte) (n >>> shift);
            } else {
                nonce[11 - i] = (byte) (n >>> shift);
            }
        }
        return nonce;
    }

    /** The cipher function of a Noise name such as "ChaChaPoly". */
    public static CipherFunction fromNoiseName(String name) {
        for (CipherFunction f : values()) {
            if (f.noiseName.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unsupported Noise cipher function: " + name);
    }
}
