package io.crust.core.noise;

import java.security.GeneralSecurityException;

/**
 * A Noise handshake message was malformed (wrong length, a low-order public key) or arrived when the
 * handshake state did not expect one. Authentication failures are {@link javax.crypto.AEADBadTagException}.
 */
public final class NoiseException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public NoiseException(String message) {
        super(message);
    }
}
