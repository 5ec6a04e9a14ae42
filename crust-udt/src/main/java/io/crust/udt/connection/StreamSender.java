package io.crust.udt.connection;

import io.crust.udt.window.RangeSet;
import io.crust.udt.window.SendBuffer;
import java.nio.ByteBuffer;

/**
 * The sending half of the ordered byte stream: what the application wrote, what was sent, what the
 * peer acknowledged, what must go again, and how far the peer's receive window lets us go. Lost data
 * is sent again in new packets (with new packet numbers); acknowledged data leaves the ring.
 */
final class StreamSender {
    private static final int MAX_RANGES = 4096;

    private final SendBuffer buffer;
    private final RangeSet acked = new RangeSet(MAX_RANGES);
    private final RangeSet lost = new RangeSet(MAX_RANGES);
    private long nextNewOffset;
    private long peerLimit;
    private long finOffset = -1;
    private boolean finPending;
    private boolean finAcked;
    private long bytesSent;
    private long bytesRetransmitted;

    // The chunk chosen by the last successful nextChunk call.
    long chunkOffset;
    int chunkLength;
    boolean chunkFin;
    boolean chunkRetransmit;

    StreamSender(int capacityBytes, long initialPeerLimit) {
        buffer = new SendBuffer(capacityBytes);
        peerLimit = initialPeerLimit;
    }

    int freeBytes() {
        return finOffset >= 0 ? 0 : buffer.freeBytes();
    }

    /** Stream bytes the peer has acknowledged in order; only grows. */
    long acknowledgedBytes() {
        return buffer.baseOffset();
    }

    int write(byte[] src, int off, int len) {
        return buffer.write(src, off, len);
    }

    void onPeerLimit(long limit) {
        peerLimit = Math.max(peerLimit, limit);
    }

    /** Marks the current end of written data as the end of the stream. */
    void finish() {
        if (finOffset < 0) {
            finOffset = buffer.writeOffset();
            finPending = true;
        }
    }

    boolean finished() {
        return finOffset >= 0;
    }

    /** Everything written, and the end of stream, was acknowledged. */
    boolean allAcknowledged() {
        return finOffset >= 0 && finAcked && buffer.baseOffset() == finOffset;
    }

    /** Every byte written so far was acknowledged (the end-of-stream marker aside). */
    boolean allDataAcknowledged() {
        return buffer.baseOffset() == buffer.writeOffset();
    }

    /** Whether lost data waits to be sent again (not subject to the peer's window: it fit before). */
    boolean hasRetransmission() {
        return !lost.isEmpty();
    }

    /** Whether new data is written but held back by the peer's receive window. */
    boolean blockedByPeerWindow() {
        return nextNewOffset < buffer.writeOffset() && nextNewOffset >= peerLimit;
    }

    boolean hasSendable() {
        return !lost.isEmpty() || (nextNewOffset < buffer.writeOffset() && nextNewOffset < peerLimit)
                || (finPending && nextNewOffset == finOffset);
    }

    /**
     * Whether the next chunk would be new data shorter than {@code room} bytes, with no lost data or
     * end-of-stream marker waiting (those are never held back).
     */
    boolean onlyPartialChunk(int room) {
        if (!lost.isEmpty() || finPending) {
            return false;
        }
        long available = Math.min(buffer.writeOffset(), peerLimit) - nextNewOffset;
        return available > 0 && available < room;
    }

    /**
     * Picks the next chunk of at most {@code maxLength} bytes: lost data first, then new data within
     * the peer's window, then a bare end-of-stream marker. Fills the {@code chunk*} fields.
     *
     * @return false if there is nothing to send
     */
    boolean nextChunk(int maxLength) {
        if (!lost.isEmpty()) {
            long start = lost.start(0);
            int length = (int) Math.min(lost.end(0) - start, maxLength);
            lost.remove(start, start + length);
            return choose(start, length, true);
        }
        long available = Math.min(buffer.writeOffset(), peerLimit) - nextNewOffset;
        if (available > 0) {
            int length = (int) Math.min(available, maxLength);
            long start = nextNewOffset;
            nextNewOffset += length;
            bytesSent += length;
            return choose(start, length, false);
        }
        if (finPending && nextNewOffset == finOffset) {
            return choose(finOffset, 0, false);
        }
        return false;
    }

    private boolean choose(long offset, int length, boolean retransmit) {
        chunkOffset = offset;
        chunkLength = length;
        chunkRetransmit = retransmit;
        chunkFin = finPending && offset + length == finOffset;
        if (chunkFin) {
            finPending = false;
        }
        if (retransmit) {
            bytesRetransmitted += length;
        }
        return true;
    }

    void copyChunk(ByteBuffer out) {
        buffer.copyTo(chunkOffset, chunkLength, out);
    }

    void onAcked(long offset, int length, boolean fin) {
        if (length > 0) {
            acked.add(offset, offset + length);
            lost.remove(offset, offset + length);
            if (acked.start(0) <= buffer.baseOffset()) {
                long newBase = acked.end(0);
                buffer.releaseTo(newBase);
                acked.removeBelow(newBase);
            }
        }
        if (fin) {
            finAcked = true;
            finPending = false;
        }
    }

    void onLost(long offset, int length, boolean fin) {
        long end = offset + length;
        long from = Math.max(offset, buffer.baseOffset());
        if (from < end) {
            lost.add(from, end);
            for (int i = 0; i < acked.rangeCount() && acked.start(i) < end; i++) {
                lost.remove(acked.start(i), acked.end(i));
            }
        }
        if (fin && !finAcked) {
            finPending = true;
        }
    }

    long bytesSent() {
        return bytesSent;
    }

    long bytesRetransmitted() {
        return bytesRetransmitted;
    }

    /** Bytes of buffer pages allocated. */
    long allocatedBytes() {
        return buffer.allocatedBytes();
    }

    /** Hands the buffer's pages back once the application is done with the connection. */
    void release() {
        buffer.release();
    }
}
