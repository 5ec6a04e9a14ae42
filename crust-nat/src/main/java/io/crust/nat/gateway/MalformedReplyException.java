package io.crust.nat.gateway;

import io.crust.nat.NatException;

/** A reply that breaks its wire format: the only exception the NAT-PMP, PCP, SSDP and SOAP parsers throw. */
public final class MalformedReplyException extends NatException {
    private static final long serialVersionUID = 1L;

    public MalformedReplyException(String message) {
        super(message);
    }

    public MalformedReplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
