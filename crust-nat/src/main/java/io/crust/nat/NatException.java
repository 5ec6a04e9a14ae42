package io.crust.nat;

import java.io.IOException;

/** A checked failure of crust-nat: the message says what went wrong and, where it helps, what to do. */
public class NatException extends IOException {
    private static final long serialVersionUID = 1L;

    public NatException(String message) {
        super(message);
    }

    public NatException(String message, Throwable cause) {
        super(message, cause);
    }
}
