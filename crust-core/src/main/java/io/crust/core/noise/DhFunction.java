package io.crust.core.noise;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc7748.X448;

/**
 * The DH functions of the Noise Protocol Framework, revision 34, section 12.1 (25519) and 12.2 (448),
 * both as defined in RFC 7748.
 */
public enum DhFunction {
    CURVE25519("25519", X25519.POINT_SIZE),
    CURVE448("448", X448.POINT_SIZE);

    private final String noiseName;
    private final int dhLen;

    DhFunction(String noiseName, int dhLen) {
        this.noiseName = noiseName;
        this.dhLen = dhLen;
    }

    /** The name used in a Noise protocol name, e.g. "25519". */
    public String noiseName() {
        return noiseName;
    }

    /** DHLEN: the length of public keys and DH outputs in bytes. */
    public int dhLen() {
        return dhLen;
    }

    /** GENERATE_KEYPAIR(). */
    public DhKeyPair generateKeyPair(SecureRandom random) {
        byte[] privateKey = new byte[dhLen];
        random.nextBytes(privateKey);
        DhKeyPair pair = keyPairFromPrivateKey(privateKey);
        Arrays.fill(privateKey, (byte) 0);
        return pair;
    }

    /** The key pair of a given private key (test vectors fix the private keys). */
    public DhKeyPair keyPairFromPrivateKey(byte[] privateKey) {
        if (privateKey.length != dhLen) {
            throw new IllegalArgumentException(noiseName + " private key has " + dhLen + " bytes, got " + privateKey.length);
        }
        byte[] publicKey = new byte[dhLen];
        if (this == CURVE25519) {
            X25519.scalarMultBase(privateKey, 0, publicKey, 0);
        } else {
            X448.scalarMultBase(privateKey, 0, publicKey, 0);
        }
        return new DhKeyPair(privateKey, publicKey);
    }

    /**
     * DH(key_pair, public_key).
     *
     * @throws IllegalArgumentException if the public key has the wrong length or is a low-order point
     *     (the shared secret would be all zeros, so an attacker could force a known key)
     */
    public byte[] dh(DhKeyPair keyPair, byte[] publicKey) {
        if (publicKey.length != dhLen) {
            throw new IllegalArgumentException(noiseName + " public key has " + dhLen + " bytes, got " + publicKey.length);
        }
        byte[] shared = new byte[dhLen];
        byte[] privateKey = keyPair.privateKey();
        boolean contributory = this == CURVE25519
                ? X25519.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0)
                : X448.calculateAgreement(privateKey, 0, publicKey, 0, shared, 0);
        Arrays.fill(privateKey, (byte) 0);
        if (!contributory) {
            throw new IllegalArgumentException("remote " + noiseName + " public key is a low-order point");
        }
        return shared;
    }

    /** The DH function of a Noise name such as "25519". */
    public static DhFunction fromNoiseName(String name) {
        for (DhFunction f : values()) {
            if (f.noiseName.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unsupported Noise DH function: " + name);
    }
}
