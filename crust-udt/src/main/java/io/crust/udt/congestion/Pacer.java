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
    /** Whether a burst is under way: the next packet needs only its own tokens, not a quantum. */
    private boolean bursting;

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

    /**
     * How many bytes to let build up before the sender wakes for the next packets: about a millisecond
     * at the current rate, at most the burst, once that is at least two packets; below that rate (about
     * 20 Mbit/s at 1,200-byte packets) one packet, as a slow path has no system calls to save and a
     * packet held for a second one's tokens would only be late. Waking once per quantum rather than
     * once per packet changes nothing on the wire (the average rate is the same) but lets the packets
     * of a quantum leave in one system call, as Linux's TCP sizes its segmentation bursts to about a
     * millisecond of the pacing rate.
     */
    public int quantumBytes(int datagramBytes) {
        double perMillisecond = bytesPerNano * 1_000_000;
        return perMillisecond >= 2.0 * datagramBytes ? (int) Math.min(maxBurstBytes, perMillisecond) : datagramBytes;
    }

    /**
     * Nanoseconds until {@code bytes} may be sent; 0 if now. A burst starts only once a quantum of
     * tokens has built up ({@link #quantumBytes}) and then goes on packet by packet until the tokens
     * run out, so that packets leave in groups of about a millisecond's worth rather than one at a
     * time as the tokens trickle in; the average rate is the same.
     */
    public long delayNanos(long nowNanos, int bytes) {
        refill(nowNanos);
        if (bytesPerNano <= 0) {
            return 0;
        }
        int needed = bursting ? bytes : Math.max(bytes, quantumBytes(bytes));
        if (tokensBytes >= needed) {
            bursting = true;
            return 0;
        }
        bursting = false;
        return (long) Math.ceil((Math.max(bytes, quantumBytes(bytes)) - tokensBytes) / bytesPerNano);
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
