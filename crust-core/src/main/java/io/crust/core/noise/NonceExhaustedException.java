package io.crust.core.noise;

import java.security.GeneralSecurityException;

/** A CipherState used 2^64-1 nonces; its key must never be used again and the channel must close. */
public final class NonceExhaustedException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public NonceExhaustedException() {
        super("nonce counter exhausted: 2^64-1 messages under one key");
    }
}
