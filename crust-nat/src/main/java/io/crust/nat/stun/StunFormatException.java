package io.crust.nat.stun;

import io.crust.nat.NatException;

/** A datagram that is not a well-formed STUN message; the message names the broken field. */
public final class StunFormatException extends NatException {
    private static final long serialVersionUID = 1L;

    public StunFormatException(String message) {
        super(message);
    }
}
