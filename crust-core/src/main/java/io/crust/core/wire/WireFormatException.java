package io.crust.core.wire;

import io.crust.core.CrustException;

/** A control message broke the wire format: the sender misbehaves (protocol violation). */
public class WireFormatException extends CrustException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message);
    }

    /** An application message above the size limit: the sender misbehaves (oversized frame). */
    public static class Oversized extends WireFormatException {
        private static final long serialVersionUID = 1L;

        public Oversized(String message) {
            super(message);
        }
    }
}
