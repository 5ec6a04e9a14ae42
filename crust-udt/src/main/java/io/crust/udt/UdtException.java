package io.crust.udt;

import java.io.IOException;

/** A checked failure of crust-udt: the message says what went wrong and, where it helps, what to do. */
public class UdtException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure without an underlying cause.
     *
     * @param message what went wrong
     */
    public UdtException(String message) {
        super(message);
    }

    /**
     * A failure caused by another exception.
     *
     * @param message what went wrong
     * @param cause the exception behind it
     */
    public UdtException(String message, Throwable cause) {
        super(message, cause);
    }
}
