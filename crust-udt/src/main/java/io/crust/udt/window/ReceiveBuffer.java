package io.crust.udt.window;

import java.nio.ByteBuffer;

/**
 * The receiver's reassembly ring: bytes from the next offset the application will read up to
 * {@code readOffset + capacity}, arriving in any order. {@link #received} records which parts are
 * present; the application reads only the contiguous prefix. The sender is never allowed beyond
 * {@link #limitOffset()} (the flow-control limit advertised in every ACK), so nothing received can
 * overflow the ring. Its pages are allocated as data first reaches them ({@link PagedRing}).
 */
public final class ReceiveBuffer {
    private final PagedRing ring;
    private final RangeSet received;
    private final int maxRanges;
    private long readOffset;
    private boolean released;

    public ReceiveBuffer(int capacityBytes, int maxRanges) {
        ring = new PagedRing(capacityBytes);
        received = new RangeSet(maxRanges);
        this.maxRanges = maxRanges;
    }

    /** Next offset the application reads. */
    public long readOffset() {
        return readOffset;
    }

    /** The flow-control limit: the sender may send bytes below this offset. */
    public long limitOffset() {
        return readOffset + ring.capacity();
    }

    /** One past the highest byte received. */
    public long highestReceived() {
        return received.isEmpty() ? readOffset : Math.max(readOffset, received.highestEnd());
    }

    /** Bytes readable now, in order. */
    public int readableBytes() {
        if (released || received.isEmpty() || received.start(0) > readOffset) {
            return 0;
        }
        return (int) (received.end(0) - readOffset);
    }

    /**
     * Stores {@code len} bytes of stream data at {@code offset}, taken from {@code src} at {@code srcPosition}.
     * Parts already read are skipped; the caller has checked that {@code offset + len <= limitOffset()}.
     *
     * @return false if the data was dropped because too many gaps are open (the sender will resend it)
     */
    public boolean put(long offset, ByteBuffer src, int srcPosition, int len) {
        long end = offset + len;
        if (end > limitOffset()) {
            throw new IllegalArgumentException("data beyond the flow-control limit");
        }
        int skip = 0;
        if (offset < readOffset) {
            skip = (int) Math.min(len, readOffset - offset);
        }
        long from = offset + skip;
        if (from >= end || received.containsRange(from, end)) {
            return true;
        }
        // A full range set would forget its lowest range, which is the readable prefix: refuse instead.
        if (received.rangeCount() == maxRanges && !touchesExisting(from, end)) {
            return false;
        }
        ring.write(from, src, srcPosition + skip, (int) (end - from));
        received.add(from, end);
        return true;
    }

    /** Copies up to {@code len} readable bytes into {@code dst}; returns how many. */
    public int read(byte[] dst, int off, int len) {
        int n = Math.min(len, readableBytes());
        ring.read(readOffset, dst, off, n);
        readOffset += n;
        received.removeBelow(readOffset);
        return n;
    }

    /** Bytes of ring pages allocated. */
    public long allocatedBytes() {
        return ring.allocatedBytes();
    }

    /** Hands the ring's pages back (the application closed the connection); nothing is readable afterwards. */
    public void release() {
        released = true;
        ring.release();
    }

    private boolean touchesExisting(long from, long end) {
        for (int i = 0; i < received.rangeCount(); i++) {
            if (received.start(i) <= end && received.end(i) >= from) {
                return true;
            }
        }
        return false;
    }
}
