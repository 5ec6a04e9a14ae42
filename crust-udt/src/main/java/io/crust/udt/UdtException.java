package io.crust.udt;

import java.io.IOException;

/** A checked failure of crust-udt: the message says what went wrong and, where it helps, what to do. */
public class UdtException extends IOException {
    private static final long serialVersionUID = 1L;

    public UdtException(String message) {
        super(message);
    }

    public UdtException(String message, Throwable cause) {
        super(message, cause);
    }
}
