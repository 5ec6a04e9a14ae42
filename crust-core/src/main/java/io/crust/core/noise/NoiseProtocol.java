package io.crust.core.noise;

/**
 * A concrete Noise protocol (revision 34, section 8): pattern, DH, cipher and hash, named like
 * {@code Noise_XX_25519_ChaChaPoly_SHA256}.
 */
public record NoiseProtocol(String name, HandshakePattern pattern, DhFunction dh, CipherFunction cipher, HashFunction hash) {

    /** The protocol of Crust's secure channel. */
    public static final String CRUST_PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";

    /**
     * Parses a protocol name.
     *
     * @throws IllegalArgumentException if the name is malformed or names an unsupported part
     */
    public static NoiseProtocol parse(String name) {
        String[] parts = name.split("_");
        if (parts.length != 5 || !parts[0].equals("Noise")) {
            throw new IllegalArgumentException("not a Noise protocol name: " + name);
        }
        return new NoiseProtocol(name, HandshakePattern.parse(parts[1]), DhFunction.fromNoiseName(parts[2]),
                CipherFunction.fromNoiseName(parts[3]), HashFunction.fromNoiseName(parts[4]));
    }
}
