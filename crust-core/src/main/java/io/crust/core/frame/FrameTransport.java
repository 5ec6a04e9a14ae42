package io.crust.core.frame;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A bidirectional stream of frames (whole messages of at most {@link #maxFrameBytes()} bytes) between
 * two endpoints. The secure channel runs on top of it: each frame carries one Noise message.
 *
 * <p>One thread may read while other threads write; implementations serialise concurrent writers.
 * {@link #close()} unblocks a blocked reader.
 */
public interface FrameTransport extends AutoCloseable {
    /**
     * Sends one frame.
     *
     * @throws IllegalArgumentException if {@code length} exceeds {@link #maxFrameBytes()}
     * @throws IOException if the transport is closed or fails
     */
    void writeFrame(byte[] frame, int offset, int length) throws IOException;

    /**
     * Blocks until the next frame arrives.
     *
     * @throws java.io.EOFException if the remote side closed cleanly between frames
     * @throws FrameTooLargeException if the remote side announced a frame above the limit
     * @throws IOException if the transport fails, or closes in the middle of a frame
     */
    byte[] readFrame() throws IOException;

    /**
     * As {@link #readFrame()}, as a view that is valid until the next read: a transport with a read
     * buffer of its own hands out a slice of it instead of a copy.
     */
    default Frame nextFrame() throws IOException {
        byte[] frame = readFrame();
        return new Frame(frame, 0, frame.length);
    }

    /** The largest frame this transport sends or accepts, in bytes. */
    int maxFrameBytes();

    /** The address of the remote endpoint. */
    InetSocketAddress remoteAddress();

    /** Closes the transport and unblocks any reader; idempotent. */
    @Override
    void close() throws IOException;
}
