package io.crust.core;

import java.io.IOException;

/** A checked failure of crust-core: the message says what went wrong and, where it helps, what to do. */
public class CrustException extends IOException {
    private static final long serialVersionUID = 1L;

    public CrustException(String message) {
        super(message);
    }

    public CrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
