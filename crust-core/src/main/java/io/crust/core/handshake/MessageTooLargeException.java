package io.crust.core.handshake;

import io.crust.core.CrustException;

/**
 * The peer announced an application message larger than {@link HandshakeParams#maxMessageBytes()}.
 * Nothing was allocated for it; the channel is closed; the peer misbehaves.
 */
public final class MessageTooLargeException extends CrustException {
    private static final long serialVersionUID = 1L;

    public MessageTooLargeException(long announcedBytes, int maxMessageBytes) {
        super("peer announced a message of " + announcedBytes + " bytes; the limit is " + maxMessageBytes);
    }
}
