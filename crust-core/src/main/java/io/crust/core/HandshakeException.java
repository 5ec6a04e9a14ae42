package io.crust.core;

import java.util.Objects;

/**
 * A secure-channel handshake did not complete. {@link #reason()} says why in a form a program can act
 * on; the message says it for a person.
 */
public final class HandshakeException extends CrustException {
    private static final long serialVersionUID = 1L;

    /** Why a handshake failed. */
    public enum Reason {
        /** The remote side proved an identity other than the peer id that was dialled. */
        WRONG_PEER,
        /** The remote side belongs to a network with another name. */
        NETWORK_MISMATCH,
        /** The remote side speaks an incompatible protocol version. */
        VERSION_MISMATCH,
        /** A handshake message failed to decrypt or a signature did not verify. */
        AUTHENTICATION_FAILED,
        /** The handshake did not finish within its time limit. */
        TIMEOUT,
        /** A handshake message was malformed, too large or out of order. */
        PROTOCOL_VIOLATION,
        /** The transport closed before the handshake finished. */
        CLOSED
    }

    /** Why the handshake failed; never null. */
    private final Reason reason;

    /**
     * A failure without an underlying exception.
     *
     * @param reason  why the handshake failed, for a program to act on
     * @param message what went wrong, for a person
     * @throws NullPointerException if reason is null
     */
    public HandshakeException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * A failure caused by another exception.
     *
     * @param reason  why the handshake failed, for a program to act on
     * @param message what went wrong, for a person
     * @param cause   the underlying failure
     * @throws NullPointerException if reason is null
     */
    public HandshakeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** {@return why the handshake failed} */
    public Reason reason() {
        return reason;
    }
}
