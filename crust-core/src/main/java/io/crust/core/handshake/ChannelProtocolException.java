package io.crust.core.handshake;

import io.crust.core.CrustException;

/**
 * The peer broke the framing rules of an established channel (a malformed chunk header, chunks
 * adding up to another length than announced). The channel is closed; the peer misbehaves.
 */
public final class ChannelProtocolException extends CrustException {
    private static final long serialVersionUID = 1L;

    public ChannelProtocolException(String message) {
        super(message);
    }
}
