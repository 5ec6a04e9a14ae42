package io.crust.udt.congestion;

/**
 * Decides how many bytes may be in flight. The connection reports what happens to its packets; the
 * controller answers with a window. Loss-based, per RFC 9002 sec. 7: slow start, congestion
 * avoidance, and one window reduction per round trip of losses (a "recovery period"). Model-based
 * controllers ({@link Bbr}) use the per-ACK {@link RateSample} instead and set the pacing rate.
 */
public interface CongestionController {
    /** Bytes that may be unacknowledged in the network. */
    long windowBytes();

    /** A packet counted in bytes in flight was sent. */
    void onPacketSent(long nowNanos, int bytes);

    /**
     * A packet was acknowledged.
     *
     * @param sentTimeNanos when it was sent (acks of packets sent before recovery started do not grow the window)
     * @param smoothedRttNanos the current smoothed RTT
     */
    void onPacketAcked(long nowNanos, int bytes, long sentTimeNanos, long smoothedRttNanos);

    /** Packets were declared lost; the newest of them was sent at {@code sentTimeNanos}. */
    void onCongestionEvent(long nowNanos, long sentTimeNanos);

    /** RFC 9002 sec. 7.6: every packet over a long period was lost; collapse to the minimum window. */
    void onPersistentCongestion();

    /** The datagram size changed (path MTU probing); windows are kept in bytes, scaled by it. */
    void onDatagramSizeChanged(int payloadBytes);

    /**
     * Once per ACK that acknowledged or declared lost anything, after its losses were detected: the
     * delivery-rate sample. Loss-based controllers need only the per-packet calls and ignore it.
     */
    default void onRateSample(long nowNanos, RateSample sample) {
    }

    /**
     * The rate at which the pacer should send, in bytes per second, or 0 to let it derive a rate from
     * the window and the smoothed RTT (what loss-based controllers want).
     */
    default long pacingRateBytesPerSecond() {
        return 0;
    }

    /** Whether the connection is still in slow start (for stats and tests). */
    boolean inSlowStart();

    /**
     * The longest the peer may hold back an ACK (the delay this side asked for with ACK_FREQUENCY). A
     * model-based controller adds the bytes sent meanwhile to what it keeps in flight; the ACK clock
     * would otherwise stall for that long each round trip on a path whose RTT is shorter.
     */
    default void onPeerMaxAckDelay(long nanos) {
    }
}
