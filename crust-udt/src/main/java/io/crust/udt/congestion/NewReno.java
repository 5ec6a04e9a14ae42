package io.crust.udt.congestion;

/**
 * NewReno as specified for QUIC in RFC 9002 sec. 7 and appendix B: slow start doubles the window
 * every round trip; each loss event halves it once per recovery period; congestion avoidance adds one
 * datagram per window acknowledged.
 */
public final class NewReno implements CongestionController {
    private static final int INITIAL_WINDOW_PACKETS = 10;
    private static final int MINIMUM_WINDOW_PACKETS = 2;

    private int datagramBytes;
    private long windowBytes;
    private long slowStartThreshold = Long.MAX_VALUE;
    private long recoveryStartNanos = Long.MIN_VALUE;
    private long bytesAckedInAvoidance;

    public NewReno(int datagramBytes) {
        this.datagramBytes = datagramBytes;
        this.windowBytes = (long) INITIAL_WINDOW_PACKETS * datagramBytes;
    }

    @Override
    public long windowBytes() {
        return windowBytes;
    }

    @Override
    public void onPacketSent(long nowNanos, int bytes) {
    }

    @Override
    public void onPacketAcked(long nowNanos, int bytes, long sentTimeNanos, long smoothedRttNanos) {
        if (sentTimeNanos <= recoveryStartNanos) {
            return;
        }
        if (windowBytes < slowStartThreshold) {
            windowBytes += bytes;
            return;
        }
        bytesAckedInAvoidance += bytes;
        if (bytesAckedInAvoidance >= windowBytes) {
            bytesAckedInAvoidance -= windowBytes;
            windowBytes += datagramBytes;
        }
    }

    @Override
    public void onCongestionEvent(long nowNanos, long sentTimeNanos) {
        if (sentTimeNanos <= recoveryStartNanos) {
            return;
        }
        recoveryStartNanos = nowNanos;
        windowBytes = Math.max(windowBytes / 2, (long) MINIMUM_WINDOW_PACKETS * datagramBytes);
        slowStartThreshold = windowBytes;
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void onPersistentCongestion() {
        windowBytes = (long) MINIMUM_WINDOW_PACKETS * datagramBytes;
    }

    @Override
    public void onDatagramSizeChanged(int payloadBytes) {
        windowBytes = windowBytes * payloadBytes / datagramBytes;
        if (slowStartThreshold != Long.MAX_VALUE) {
            slowStartThreshold = slowStartThreshold * payloadBytes / datagramBytes;
        }
        datagramBytes = payloadBytes;
    }

    @Override
    public boolean inSlowStart() {
        return windowBytes < slowStartThreshold;
    }
}
