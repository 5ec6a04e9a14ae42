package io.crust.core.noise;

import java.util.Arrays;

/**
 * A Diffie-Hellman key pair of one {@link DhFunction}. Holds secret bytes: never log it.
 *
 * @param privateKey the private scalar (DHLEN bytes)
 * @param publicKey the public key (DHLEN bytes)
 */
public record DhKeyPair(byte[] privateKey, byte[] publicKey) {
    public DhKeyPair {
        privateKey = privateKey.clone();
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] privateKey() {
        return privateKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DhKeyPair that && Arrays.equals(publicKey, that.publicKey)
                && Arrays.equals(privateKey, that.privateKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "DhKeyPair[publicKey=" + java.util.HexFormat.of().formatHex(publicKey) + "]";
    }
}
