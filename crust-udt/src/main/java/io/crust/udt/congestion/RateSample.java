package io.crust.udt.congestion;

/**
 * What one ACK says about the path (draft-cheng-iccrg-delivery-rate-estimation sec. 3.3): how many
 * bytes were delivered over which interval, the round-trip time of the newest acknowledged packet,
 * and what this ACK newly acknowledged or declared lost. One instance per connection is refilled for
 * every ACK, so a controller must copy what it wants to keep.
 */
public final class RateSample {
    private long deliveredBytes;
    private long intervalNanos;
    private long priorDeliveredBytes;
    private long totalDeliveredBytes;
    private long newlyAckedBytes;
    private long newlyLostBytes;
    private long rttNanos;
    private long priorInFlightBytes;
    private long bytesInFlight;
    private boolean appLimited;

    /** Replaces every field; called by the sampler once per ACK. */
    public void set(long deliveredBytes, long intervalNanos, long priorDeliveredBytes, long totalDeliveredBytes,
                    long newlyAckedBytes, long newlyLostBytes, long rttNanos, long priorInFlightBytes,
                    long bytesInFlight, boolean appLimited) {
        this.deliveredBytes = deliveredBytes;
        this.intervalNanos = intervalNanos;
        this.priorDeliveredBytes = priorDeliveredBytes;
        this.totalDeliveredBytes = totalDeliveredBytes;
        this.newlyAckedBytes = newlyAckedBytes;
        this.newlyLostBytes = newlyLostBytes;
        this.rttNanos = rttNanos;
        this.priorInFlightBytes = priorInFlightBytes;
        this.bytesInFlight = bytesInFlight;
        this.appLimited = appLimited;
    }

    /** Whether this ACK gives a delivery rate (it acknowledged new data over a plausible interval). */
    public boolean hasRate() {
        return intervalNanos > 0;
    }

    /** Delivery rate in bytes per second; 0 without {@link #hasRate()}. */
    public double deliveryRateBytesPerSecond() {
        return hasRate() ? deliveredBytes * 1e9 / intervalNanos : 0;
    }

    /** Bytes delivered between the newest acknowledged packet's send and this ACK. */
    public long deliveredBytes() {
        return deliveredBytes;
    }

    /** The interval those bytes took: the longer of the send and the ACK intervals; 0 if no rate. */
    public long intervalNanos() {
        return intervalNanos;
    }

    /** Bytes the connection had delivered when the newest acknowledged packet was sent (round counting). */
    public long priorDeliveredBytes() {
        return priorDeliveredBytes;
    }

    /** Bytes the connection has delivered in all, this ACK included. */
    public long totalDeliveredBytes() {
        return totalDeliveredBytes;
    }

    public long newlyAckedBytes() {
        return newlyAckedBytes;
    }

    /** Bytes declared lost since the previous sample (losses found by a timer are reported here too). */
    public long newlyLostBytes() {
        return newlyLostBytes;
    }

    /** Round-trip time of the newest packet this ACK acknowledged; 0 if it acknowledged none. */
    public long rttNanos() {
        return rttNanos;
    }

    /** Bytes in flight before this ACK was processed. */
    public long priorInFlightBytes() {
        return priorInFlightBytes;
    }

    /** Bytes in flight after it. */
    public long bytesInFlight() {
        return bytesInFlight;
    }

    /** The newest acknowledged packet was sent while the application, not the network, limited the rate. */
    public boolean appLimited() {
        return appLimited;
    }

    @Override
    public String toString() {
        return "RateSample[" + (long) deliveryRateBytesPerSecond() + " B/s over " + intervalNanos + " ns, acked "
                + newlyAckedBytes + ", lost " + newlyLostBytes + ", rtt " + rttNanos + " ns, inflight "
                + bytesInFlight + (appLimited ? ", app-limited]" : "]");
    }
}
