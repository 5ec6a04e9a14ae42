package io.crust.udt.window;

import java.nio.ByteBuffer;

/**
 * The sender's copy of its byte stream, from the lowest unacknowledged offset to the last byte the
 * application wrote: a ring of fixed capacity, so that memory never grows with what is written.
 * Offsets are stream offsets (they only grow); the ring maps them to {@code offset % capacity}.
 */
public final class SendBuffer {
    private final byte[] ring;
    private long baseOffset;   // lowest offset still held (everything below is acknowledged)
    private long writeOffset;  // one past the last byte written

    public SendBuffer(int capacityBytes) {
        ring = new byte[capacityBytes];
    }

    public long baseOffset() {
        return baseOffset;
    }

    public long writeOffset() {
        return writeOffset;
    }

    /** Bytes the application may still write before the ring is full. */
    public int freeBytes() {
        return ring.length - (int) (writeOffset - baseOffset);
    }

    /** Copies up to {@link #freeBytes()} bytes in; returns how many were taken. */
    public int write(byte[] src, int off, int len) {
        int n = Math.min(len, freeBytes());
        int done = 0;
        while (done < n) {
            int pos = (int) ((writeOffset + done) % ring.length);
            int chunk = Math.min(n - done, ring.length - pos);
            System.arraycopy(src, off + done, ring, pos, chunk);
            done += chunk;
        }
        writeOffset += n;
        return n;
    }

    /** Copies {@code [offset, offset + len)}, which must lie inside the held window, into {@code dst}. */
    public void copyTo(long offset, int len, ByteBuffer dst) {
        if (offset < baseOffset || offset + len > writeOffset) {
            throw new IllegalArgumentException("range " + offset + "+" + len + " outside [" + baseOffset + ", " + writeOffset + ")");
        }
        int done = 0;
        while (done < len) {
            int pos = (int) ((offset + done) % ring.length);
            int chunk = Math.min(len - done, ring.length - pos);
            dst.put(ring, pos, chunk);
            done += chunk;
        }
    }

    /** Forgets everything below {@code offset} (acknowledged), making room for new writes. */
    public void releaseTo(long offset) {
        if (offset > baseOffset) {
            baseOffset = Math.min(offset, writeOffset);
        }
    }
}
