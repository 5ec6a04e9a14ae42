package io.crust.udt.congestion;

/**
 * Spreads packets over the round trip instead of sending a window in one burst (RFC 9002 sec. 7.7):
 * a token bucket filled at {@code 1.25 * cwnd / srtt} (twice that in slow start, so pacing never
 * holds the window back from doubling), holding at most a small burst. A model-based controller
 * sets the rate itself instead.
 */
public final class Pacer {
    private static final int BURST_PACKETS = 16;

    private double tokensBytes;
    private long lastRefillNanos;
    private double bytesPerNano;
    private int maxBurstBytes;

    public Pacer(int datagramBytes) {
        this.maxBurstBytes = BURST_PACKETS * datagramBytes;
        this.tokensBytes = maxBurstBytes;
    }

    /** Updates the rate from the congestion window and smoothed RTT. */
    public void setRate(long windowBytes, long smoothedRttNanos, boolean slowStart, int datagramBytes) {
        double gain = slowStart ? 2.5 : 1.25;
        bytesPerNano = gain * windowBytes / Math.max(smoothedRttNanos, 1);
        maxBurstBytes = BURST_PACKETS * datagramBytes;
    }

    /** Sets the rate a controller chose ({@link CongestionController#pacingRateBytesPerSecond()}). */
    public void setRateBytesPerSecond(long bytesPerSecond, int datagramBytes) {
        bytesPerNano = bytesPerSecond / 1e9;
        maxBurstBytes = BURST_PACKETS * datagramBytes;
    }

    /** Nanoseconds until {@code bytes} may be sent; 0 if now. */
    public long delayNanos(long nowNanos, int bytes) {
        refill(nowNanos);
        if (tokensBytes >= bytes || bytesPerNano <= 0) {
            return 0;
        }
        return (long) Math.ceil((bytes - tokensBytes) / bytesPerNano);
    }

    public void onSent(long nowNanos, int bytes) {
        refill(nowNanos);
        tokensBytes -= bytes;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        lastRefillNanos = nowNanos;
        if (elapsed > 0) {
            tokensBytes = Math.min(maxBurstBytes, tokensBytes + elapsed * bytesPerNano);
        }
    }
}
