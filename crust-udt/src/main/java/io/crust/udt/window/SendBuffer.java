package io.crust.udt.window;

import java.nio.ByteBuffer;

/**
 * The sender's copy of its byte stream, from the lowest unacknowledged offset to the last byte the
 * application wrote: a ring of fixed capacity, so that memory never grows with what is written.
 * Offsets are stream offsets (they only grow); the ring maps them to {@code offset % capacity}. Its
 * pages are allocated as the stream first reaches them ({@link PagedRing}).
 */
public final class SendBuffer {
    private final PagedRing ring;
    private long baseOffset;   // lowest offset still held (everything below is acknowledged)
    private long writeOffset;  // one past the last byte written

    public SendBuffer(int capacityBytes) {
        ring = new PagedRing(capacityBytes);
    }

    public long baseOffset() {
        return baseOffset;
    }

    public long writeOffset() {
        return writeOffset;
    }

    /** Bytes the application may still write before the ring is full. */
    public int freeBytes() {
        return ring.capacity() - (int) (writeOffset - baseOffset);
    }

    /** Copies up to {@link #freeBytes()} bytes in; returns how many were taken. */
    public int write(byte[] src, int off, int len) {
        int n = Math.min(len, freeBytes());
        ring.write(writeOffset, src, off, n);
        writeOffset += n;
        return n;
    }

    /** Copies {@code [offset, offset + len)}, which must lie inside the held window, into {@code dst}. */
    public void copyTo(long offset, int len, ByteBuffer dst) {
        if (offset < baseOffset || offset + len > writeOffset) {
            throw new IllegalArgumentException("range " + offset + "+" + len + " outside [" + baseOffset + ", " + writeOffset + ")");
        }
        ring.read(offset, dst, len);
    }

    /** Forgets everything below {@code offset} (acknowledged), making room for new writes. */
    public void releaseTo(long offset) {
        if (offset > baseOffset) {
            baseOffset = Math.min(offset, writeOffset);
        }
    }

    /** Bytes of ring pages allocated. */
    public long allocatedBytes() {
        return ring.allocatedBytes();
    }

    /** Hands the ring's pages back (the connection is over); nothing may be sent from it afterwards. */
    public void release() {
        ring.release();
    }
}
