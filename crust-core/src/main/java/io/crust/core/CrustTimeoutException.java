package io.crust.core;

/**
 * A blocking call ran out of the time it was given. Every public crust-core call that takes a
 * {@link java.time.Duration} timeout reports running out of time this way, never by returning
 * {@code null}, {@code false} or an empty {@code Optional}.
 */
public final class CrustTimeoutException extends CrustException {
    private static final long serialVersionUID = 1L;

    /**
     * A timeout of one blocking call.
     *
     * @param message what was waited for, and how long
     */
    public CrustTimeoutException(String message) {
        super(message);
    }

    /**
     * A timeout caused by a lower-level one.
     *
     * @param message what was waited for, and how long
     * @param cause   the lower-level timeout
     */
    public CrustTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
