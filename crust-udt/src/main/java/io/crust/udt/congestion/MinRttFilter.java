package io.crust.udt.congestion;

/**
 * The smallest round-trip time seen over a window of wall-clock time (10 s for BBR). Queues only add
 * delay, so the minimum is the best estimate of the propagation delay; it expires so that a route
 * change to a longer path is noticed. When it expires, the next sample replaces it, whatever its value.
 */
public final class MinRttFilter {
    private final long windowNanos;
    private long minRttNanos = Long.MAX_VALUE;
    private long stampNanos;

    public MinRttFilter(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** Whether the minimum is older than the window (true before any sample too). */
    public boolean isExpired(long nowNanos) {
        return minRttNanos == Long.MAX_VALUE || nowNanos - stampNanos > windowNanos;
    }

    /** Takes a sample; {@code rttNanos <= 0} means none. */
    public void update(long rttNanos, long nowNanos) {
        if (rttNanos > 0 && (rttNanos <= minRttNanos || isExpired(nowNanos))) {
            minRttNanos = rttNanos;
            stampNanos = nowNanos;
        }
    }

    /** Keeps the current minimum for another window (after ProbeRTT has re-measured it). */
    public void restartWindow(long nowNanos) {
        stampNanos = nowNanos;
    }

    /** The minimum, or {@code Long.MAX_VALUE} before any sample. */
    public long get() {
        return minRttNanos;
    }
}
