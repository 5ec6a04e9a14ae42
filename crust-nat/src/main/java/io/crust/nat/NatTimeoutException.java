package io.crust.nat;

/**
 * A crust-nat exchange (a STUN transaction, a gateway request) got no answer within the time it was
 * given. The socket-level {@link DatagramPort#receive} reports the same as a
 * {@link java.net.SocketTimeoutException}; no crust-nat call returns {@code null} or an empty
 * {@code Optional} for a timeout.
 */
public final class NatTimeoutException extends NatException {
    private static final long serialVersionUID = 1L;

    /**
     * A timeout of one exchange.
     *
     * @param message which exchange got no answer, from where, and within how long
     */
    public NatTimeoutException(String message) {
        super(message);
    }
}
