package io.crust.core.noise;

/**
 * Which library computes the AEAD. Both give identical bytes; they differ in speed (see
 * docs/handshake.md, "AEAD measurement"). {@link #FASTEST} is the one the secure channel uses.
 */
public enum AeadProvider {
    /** javax.crypto: "ChaCha20-Poly1305" and "AES/GCM/NoPadding" with HotSpot intrinsics. */
    JDK,
    /** BouncyCastle's lightweight API (ChaCha20Poly1305, GCMBlockCipher over AESEngine). */
    BOUNCY_CASTLE;

    /** The faster provider as measured by {@code AeadBenchmark} on this project's machines. */
    public static final AeadProvider FASTEST = JDK;

    /** A new AEAD keyed with the 32-byte {@code key}. */
    public Aead newAead(CipherFunction function, byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("a Noise cipher key has 32 bytes, got " + key.length);
        }
        return this == JDK ? new JdkAead(function, key) : new BouncyCastleAead(function, key);
    }
}
