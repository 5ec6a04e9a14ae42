package io.crust.core.frame;

import io.crust.core.CrustException;

/** The remote side announced a frame larger than the transport accepts: it misbehaves. */
public final class FrameTooLargeException extends CrustException {
    private static final long serialVersionUID = 1L;
    private final long announcedBytes;
    private final int maxFrameBytes;

    public FrameTooLargeException(long announcedBytes, int maxFrameBytes) {
        super("remote peer announced a frame of " + announcedBytes + " bytes; the limit is " + maxFrameBytes);
        this.announcedBytes = announcedBytes;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The size the remote side announced. */
    public long announcedBytes() {
        return announcedBytes;
    }

    /** The limit it exceeded. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }
}
