package io.crust.nat;

import java.io.IOException;

/** A checked failure of crust-nat: the message says what went wrong and, where it helps, what to do. */
public class NatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure without an underlying exception.
     *
     * @param message what went wrong, for logs and for the user
     */
    public NatException(String message) {
        super(message);
    }

    /**
     * A failure caused by another exception.
     *
     * @param message what went wrong, for logs and for the user
     * @param cause   the underlying failure
     */
    public NatException(String message, Throwable cause) {
        super(message, cause);
    }
}
