package io.crust.core.noise;

import org.bouncycastle.crypto.ExtendedDigest;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The hash functions of the Noise Protocol Framework, revision 34, section 12.5 to 12.8, with HMAC
 * (RFC 2104) and the Noise HKDF of section 4.3.
 */
public enum HashFunction {
    SHA256("SHA256", 32),
    SHA512("SHA512", 64),
    BLAKE2S("BLAKE2s", 32),
    BLAKE2B("BLAKE2b", 64);

    private final String noiseName;
    private final int hashLen;

    HashFunction(String noiseName, int hashLen) {
        this.noiseName = noiseName;
        this.hashLen = hashLen;
    }

    /** The name used in a Noise protocol name. */
    public String noiseName() {
        return noiseName;
    }

    /** HASHLEN in bytes. */
    public int hashLen() {
        return hashLen;
    }

    private ExtendedDigest newDigest() {
        return switch (this) {
            case SHA256 -> new SHA256Digest();
            case SHA512 -> new SHA512Digest();
            case BLAKE2S -> new Blake2sDigest(256);
            case BLAKE2B -> new Blake2bDigest(512);
        };
    }

    /** HASH(a || b). */
    public byte[] hash(byte[] a, byte[] b) {
        ExtendedDigest digest = newDigest();
        digest.update(a, 0, a.length);
        digest.update(b, 0, b.length);
        byte[] out = new byte[hashLen];
        digest.doFinal(out, 0);
        return out;
    }

    /** HMAC-HASH(key, data || suffix). */
    byte[] hmac(byte[] key, byte[] data, byte suffix, boolean withSuffix) {
        HMac mac = new HMac(newDigest());
        mac.init(new KeyParameter(key));
        mac.update(data, 0, data.length);
        if (withSuffix) {
            mac.update(suffix);
        }
        byte[] out = new byte[hashLen];
        mac.doFinal(out, 0);
        return out;
    }

    /** HKDF(chaining_key, input_key_material, num_outputs) of section 4.3: 2 or 3 outputs of HASHLEN bytes. */
    public byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial, int outputs) {
        if (outputs < 2 || outputs > 3) {
            throw new IllegalArgumentException("HKDF gives 2 or 3 outputs, asked for " + outputs);
        }
        byte[] tempKey = hmac(chainingKey, inputKeyMaterial, (byte) 0, false);
        byte[][] out = new byte[outputs][];
        out[0] = hmac(tempKey, new byte[0], (byte) 1, true);
        out[1] = hmac(tempKey, out[0], (byte) 2, true);
        if (outputs == 3) {
            out[2] = hmac(tempKey, out[1], (byte) 3, true);
        }
        java.util.Arrays.fill(tempKey, (byte) 0);
        return out;
    }

    /** The hash function of a Noise name such as "SHA256". */
    public static HashFunction fromNoiseName(String name) {
        for (HashFunction f : values()) {
            if (f.noiseName.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unsupported Noise hash function: " + name);
    }
}
