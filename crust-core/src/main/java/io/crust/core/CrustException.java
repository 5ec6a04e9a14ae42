package io.crust.core;

import java.io.IOException;

/** A checked failure of crust-core: the message says what went wrong and, where it helps, what to do. */
public class CrustException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure without an underlying exception.
     *
     * @param message what went wrong, for logs and for the user
     */
    public CrustException(String message) {
        super(message);
    }

    /**
     * A failure caused by another exception.
     *
     * @param message what went wrong, for logs and for the user
     * @param cause   the underlying failure
     */
    public CrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
