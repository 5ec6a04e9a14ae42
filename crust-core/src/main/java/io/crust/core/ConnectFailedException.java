package io.crust.core;

import java.util.Objects;

/**
 * A {@link CrustNode#connect} call failed for a reason other than running out of time (that is a
 * {@link CrustTimeoutException}). {@link #reason()} says why in a form a program can act on; the
 * message says it for a person, naming what was tried.
 */
public final class ConnectFailedException extends CrustException {
    private static final long serialVersionUID = 1L;

    /** Why a connect failed. */
    public enum Reason {
        /** The peer id or address is banned ({@link CrustNode#ban}). Retrying will not help. */
        BANNED,
        /** The address answered with this node's own identity. */
        SELF,
        /** This node is closed. */
        NODE_CLOSED,
        /** This node already has {@link CrustConfig#maxConnections()} connections. */
        LIMIT_REACHED,
        /** There was nothing to dial: no enabled transport or no usable candidate address. */
        NO_ADDRESS,
        /**
         * Connecting by id: no connected peer could pass our details on (there is none, or none of
         * them knows the target), and no relay was available. Connect to more peers first.
         */
        NO_RENDEZVOUS,
        /**
         * Something answered but the secure handshake failed: another identity than the one dialled,
         * another network name or protocol version, or a broken handshake ({@link HandshakeException}
         * in the cause chain says which).
         */
        HANDSHAKE_FAILED,
        /** Every path was tried and none answered (refused, unreachable, or closed before the handshake). */
        UNREACHABLE,
        /** The calling thread was interrupted; its interrupt flag is set again. */
        INTERRUPTED,
        /**
         * A background attempt towards a peer connected after the application dropped that peer, or after
         * the peer said goodbye: the connection was closed instead of bringing the peer back. A new
         * {@code connect} is not affected.
         */
        CANCELLED
    }

    /** Why the connect failed; never null. */
    private final Reason reason;

    /**
     * A failure without an underlying exception.
     *
     * @param reason  why the connect failed, for a program to act on
     * @param message what went wrong, for a person
     * @throws NullPointerException if reason is null
     */
    public ConnectFailedException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * A failure caused by another exception.
     *
     * @param reason  why the connect failed, for a program to act on
     * @param message what went wrong, for a person
     * @param cause   the underlying failure
     * @throws NullPointerException if reason is null
     */
    public ConnectFailedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** {@return why the connect failed} */
    public Reason reason() {
        return reason;
    }
}
