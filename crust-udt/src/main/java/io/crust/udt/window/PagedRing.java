package io.crust.udt.window;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A ring of {@code capacity} bytes addressed by stream offset ({@code offset % capacity}), stored in
 * pages of at most 64 KiB that are allocated the first time a byte is written into them.
 *
 * <p>Why pages: a connection's send and receive rings are sized for a fast path (4 MiB each by
 * default), but most connections never fill them, and a connection exists before its peer has
 * proved anything (crust-core authenticates after the crust-udt handshake). Allocating on first use
 * keeps an idle or unauthenticated connection to the pages its traffic actually touched, and
 * {@link #release()} hands everything back when the connection is over, even if something still
 * holds the connection object.
 *
 * <pre>
 *   offset % capacity:  0        64K       128K            capacity
 *                       |  page 0 |  page 1 |  ...  | last  |
 *                        allocated  null until written
 * </pre>
 */
public final class PagedRing {
    static final int PAGE_BYTES = 64 * 1024;

    private final int capacity;
    private final int pageBytes;
    private final byte[][] pages;
    private long allocatedBytes;

    public PagedRing(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.pageBytes = Math.min(capacity, PAGE_BYTES);
        this.pages = new byte[(capacity + pageBytes - 1) / pageBytes][];
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes of pages currently allocated. */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    /** Copies {@code len} bytes from {@code src[off..]} to the ring at {@code offset}. */
    public void write(long offset, byte[] src, int off, int len) {
        forEachChunk(offset, len, (page, within, done, n) -> System.arraycopy(src, off + done, page, within, n));
    }

    /** Copies {@code len} bytes from {@code src} at absolute position {@code srcPosition} to the ring at {@code offset}. */
    public void write(long offset, ByteBuffer src, int srcPosition, int len) {
        forEachChunk(offset, len, (page, within, done, n) -> src.get(srcPosition + done, page, within, n));
    }

    /** Copies {@code len} bytes at {@code offset} into {@code dst[off..]}. */
    public void read(long offset, byte[] dst, int off, int len) {
        forEachChunk(offset, len, (page, within, done, n) -> System.arraycopy(page, within, dst, off + done, n));
    }

    /** Appends {@code len} bytes at {@code offset} to {@code dst}. */
    public void read(long offset, ByteBuffer dst, int len) {
        forEachChunk(offset, len, (page, within, done, n) -> dst.put(page, within, n));
    }

    /** One contiguous piece of a copy: {@code n} bytes at {@code page[within]}, {@code done} bytes into the copy. */
    private interface Chunk {
        void copy(byte[] page, int within, int done, int n);
    }

    /** Splits {@code [offset, offset + len)} at page ends and the ring's wrap. */
    private void forEachChunk(long offset, int len, Chunk chunk) {
        int done = 0;
        while (done < len) {
            int pos = position(offset + done);
            byte[] page = page(pos / pageBytes);
            int within = pos % pageBytes;
            int n = Math.min(len - done, page.length - within);
            chunk.copy(page, within, done, n);
            done += n;
        }
    }

    /** Drops every page; the ring reads as zeros until written again. */
    public void release() {
        Arrays.fill(pages, null);
        allocatedBytes = 0;
    }

    private int position(long offset) {
        return (int) (offset % capacity);
    }

    private byte[] page(int index) {
        byte[] page = pages[index];
        if (page == null) {
            int length = Math.min(pageBytes, capacity - index * pageBytes);
            page = new byte[length];
            pages[index] = page;
            allocatedBytes += length;
        }
        return page;
    }
}
