package io.crust.udt.packet;

/**
 * A datagram failed validation. Thrown by decoders and caught by whoever feeds them (the receive loop
 * or a connection), which drops the datagram and counts it. Carries no stack trace: junk is routine.
 */
public final class MalformedPacketException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }

    static void check(boolean condition, String message) throws MalformedPacketException {
        if (!condition) {
            throw new MalformedPacketException(message);
        }
    }
}
