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

    /** Text from a gateway in a message: one line, at most 64 characters of it. */
    public static String shown(String text) {
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= 64 ? oneLine : oneLine.substring(0, 64) + "...";
    }
}
