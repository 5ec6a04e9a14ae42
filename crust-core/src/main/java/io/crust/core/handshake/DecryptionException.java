package io.crust.core.handshake;

import io.crust.core.CrustException;

/**
 * A message on an established channel failed authentication: it was tampered with, replayed or not
 * sent by the peer. The channel is closed; the peer (or the path to it) misbehaves.
 */
public final class DecryptionException extends CrustException {
    private static final long serialVersionUID = 1L;

    public DecryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
