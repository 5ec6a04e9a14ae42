package io.crust.udt.recovery;

import io.crust.udt.congestion.RateSample;

/**
 * Delivery-rate estimation as in draft-cheng-iccrg-delivery-rate-estimation-02: how fast the path
 * delivered data recently, measured from ACKs alone. Each packet remembers, in the
 * {@link SentPacketLog}, how many bytes the connection had delivered when it was sent and when; when
 * it is acknowledged, the bytes delivered since then divided by the time that took is a sample of the
 * delivery rate. No allocation per packet or ACK: one {@link RateSample} is refilled.
 */
public final class DeliveryRateSampler {
    private final SentPacketLog log;
    private final RateSample sample = new RateSample();
    private long delivered;          // C.delivered
    private long deliveredTimeNanos; // C.delivered_time
    private long firstSentTimeNanos; // C.first_sent_time
    private long appLimitedUntil;    // C.app_limited: 0, or the delivered count that ends an app-limited stretch
    private long lostBytes;

    // The newest packet acknowledged by the ACK being processed (sec. 3.3 picks it).
    private long newestPn = -1;
    private long priorDelivered;
    private long sendElapsedNanos;
    private long ackElapsedNanos;
    private long newestSentNanos;
    private boolean newestAppLimited;
    private long ackedThisAck;
    private long lostSinceSample;

    public DeliveryRateSampler(SentPacketLog log) {
        this.log = log;
    }

    /** Bytes acknowledged over the connection's life. */
    public long deliveredBytes() {
        return delivered;
    }

    /** Bytes declared lost over the connection's life. */
    public long lostBytes() {
        return lostBytes;
    }

    /** Whether packets sent now are marked application-limited. */
    public boolean isAppLimited() {
        return appLimitedUntil != 0;
    }

    /** Records the delivery state for {@code pn}, a packet counted in flight, about to be sent. */
    public void onPacketSent(long pn, long nowNanos, long bytesInFlightBefore) {
        // Sec. 3.2: "If there are no packets in flight yet, then we can start the delivery rate
        // interval at the current time": an idle period must not count as delivery time.
        if (bytesInFlightBefore == 0) {
            firstSentTimeNanos = nowNanos;
            deliveredTimeNanos = nowNanos;
        }
        log.recordDeliveryState(pn, delivered, deliveredTimeNanos, firstSentTimeNanos, appLimitedUntil != 0);
    }

    /**
     * Sec. 3.4: the sender has nothing to send (or only less than a packet) while the window would let
     * it. Rate samples until the data now in flight is delivered measure the application, not the path.
     */
    public void onApplicationLimited(long bytesInFlight) {
        appLimitedUntil = Math.max(delivered + bytesInFlight, 1);
    }

    /** {@code pn}, in flight, was newly acknowledged (sec. 3.3, UpdateRateSample). */
    public void onPacketAcked(long pn, long nowNanos) {
        int size = log.sizeBytes(pn);
        delivered += size;
        deliveredTimeNanos = nowNanos;
        ackedThisAck += size;
        if (pn > newestPn) { // packet numbers grow with send time, so the largest is the newest
            newestPn = pn;
            priorDelivered = log.deliveredAtSend(pn);
            newestAppLimited = log.appLimitedAtSend(pn);
            newestSentNanos = log.sentTimeNanos(pn);
            sendElapsedNanos = newestSentNanos - log.firstSentTimeAtSend(pn);
            ackElapsedNanos = nowNanos - log.deliveredTimeAtSend(pn);
            // The next flight's send interval starts at this packet's send time.
            firstSentTimeNanos = newestSentNanos;
        }
    }

    /** A packet counted in flight was declared lost (MTU probes excepted: they say nothing about congestion). */
    public void onPacketLost(int bytes) {
        lostBytes += bytes;
        lostSinceSample += bytes;
    }

    /**
     * Ends an ACK: the sample of what it acknowledged (sec. 3.3, GenerateRateSample), refilled in place.
     *
     * @param minRttNanos samples over intervals shorter than this are discarded
     */
    public RateSample sample(long nowNanos, long minRttNanos, long priorInFlightBytes, long bytesInFlight) {
        if (appLimitedUntil != 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0; // the app-limited bubble has left the network
        }
        long interval = 0;
        long deliveredInInterval = 0;
        long rttNanos = 0;
        boolean appLimited = false;
        if (newestPn >= 0) {
            deliveredInInterval = delivered - priorDelivered;
            // "use the longer of the send and ACK intervals": a burst of ACKs (ACK compression) or a
            // burst of sends would otherwise make the rate look higher than the path's.
            interval = Math.max(sendElapsedNanos, ackElapsedNanos);
            // "Normally we expect interval >= MinRTT": shorter ones are artefacts of ACK decimation.
            if (interval < minRttNanos) {
                interval = 0;
            }
            rttNanos = nowNanos - newestSentNanos;
            appLimited = newestAppLimited;
        }
        sample.set(deliveredInInterval, interval, priorDelivered, delivered, ackedThisAck, lostSinceSample,
                rttNanos, priorInFlightBytes, bytesInFlight, appLimited);
        newestPn = -1;
        ackedThisAck = 0;
        lostSinceSample = 0;
        return sample;
    }
}
