package io.crust.udt.congestion;

/**
 * CUBIC congestion control (RFC 9438), the default of Linux, Windows and most QUIC stacks. After a
 * loss it cuts the window to 70 % (not 50 % like Reno) and then grows it along a cubic curve that is
 * flat near the window where loss last happened and steep far from it, so long, fast or lossy paths
 * regain their rate quickly; a Reno-friendly estimate keeps it fair to Reno flows on short paths.
 * Windows are kept in bytes; the curve is computed in datagrams as the RFC does.
 */
public final class Cubic implements CongestionController {
    private static final double BETA = 0.7;                  // RFC 9438 sec. 4.6
    private static final double C = 0.4;                     // RFC 9438 sec. 5
    private static final double ALPHA = 3 * (1 - BETA) / (1 + BETA); // RFC 9438 sec. 4.3
    private static final int INITIAL_WINDOW_PACKETS = 10;
    private static final int MINIMUM_WINDOW_PACKETS = 2;

    private int datagramBytes;
    private double windowBytes;
    private double slowStartThreshold = Double.MAX_VALUE;
    private double windowMaxBytes;          // W_max: window just before the last reduction
    private double windowRenoEstimateBytes; // W_est
    private double kSeconds;
    private long epochStartNanos = Long.MIN_VALUE;
    private long recoveryStartNanos = Long.MIN_VALUE;

    public Cubic(int datagramBytes) {
        this.datagramBytes = datagramBytes;
        this.windowBytes = (double) INITIAL_WINDOW_PACKETS * datagramBytes;
    }

    @Override
    public long windowBytes() {
        return (long) windowBytes;
    }

    @Override
    public void onPacketSent(long nowNanos, int bytes) {
    }

    @Override
    public void onPacketAcked(long nowNanos, int bytes, long sentTimeNanos, long smoothedRttNanos) {
        if (sentTimeNanos <= recoveryStartNanos) {
            return; // RFC 9002 sec. 7.3.2: no growth for packets sent before recovery began
        }
        if (windowBytes < slowStartThreshold) {
            windowBytes += bytes;
            return;
        }
        if (epochStartNanos == Long.MIN_VALUE) {
            // Congestion avoidance without a previous loss (slow start ended at ssthresh): start a
            // curve whose plateau is the current window.
            epochStartNanos = nowNanos;
            windowMaxBytes = windowBytes;
            windowRenoEstimateBytes = windowBytes;
            kSeconds = 0;
        }
        double segment = datagramBytes;
        double t = (nowNanos - epochStartNanos) / 1e9;
        double rtt = smoothedRttNanos / 1e9;
        // RFC 9438 sec. 4.3: W_est grows by alpha segments per window of acknowledged bytes.
        windowRenoEstimateBytes += ALPHA * segment * bytes / windowBytes;
        double cubicNow = cubicWindowBytes(t);
        if (cubicNow < windowRenoEstimateBytes) {
            windowBytes = windowRenoEstimateBytes; // Reno-friendly region (sec. 4.3)
            return;
        }
        // Concave and convex regions (sec. 4.4, 4.5): aim at W_cubic(t + RTT), at most 1.5 * cwnd.
        double target = Math.min(Math.max(cubicWindowBytes(t + rtt), windowBytes), 1.5 * windowBytes);
        windowBytes += (target - windowBytes) * bytes / windowBytes;
    }

    private double cubicWindowBytes(double tSeconds) {
        double d = tSeconds - kSeconds;
        return (C * d * d * d) * datagramBytes + windowMaxBytes;
    }

    @Override
    public void onCongestionEvent(long nowNanos, long sentTimeNanos) {
        if (sentTimeNanos <= recoveryStartNanos) {
            return; // one reduction per round trip of losses
        }
        recoveryStartNanos = nowNanos;
        epochStartNanos = nowNanos;
        // Fast convergence (sec. 4.7): release bandwidth sooner when the plateau keeps falling.
        if (windowBytes < windowMaxBytes) {
            windowMaxBytes = windowBytes * (1 + BETA) / 2;
        } else {
            windowMaxBytes = windowBytes;
        }
        windowBytes = Math.max(windowBytes * BETA, (double) MINIMUM_WINDOW_PACKETS * datagramBytes);
        slowStartThreshold = windowBytes;
        windowRenoEstimateBytes = windowBytes;
        kSeconds = Math.cbrt((windowMaxBytes - windowBytes) / datagramBytes / C);
    }

    @Override
    public void onPersistentCongestion() {
        windowBytes = (double) MINIMUM_WINDOW_PACKETS * datagramBytes;
        epochStartNanos = Long.MIN_VALUE;
    }

    @Override
    public void onDatagramSizeChanged(int payloadBytes) {
        double scale = (double) payloadBytes / datagramBytes;
        windowBytes *= scale;
        windowMaxBytes *= scale;
        windowRenoEstimateBytes *= scale;
        if (slowStartThreshold != Double.MAX_VALUE) {
            slowStartThreshold *= scale;
        }
        datagramBytes = payloadBytes;
    }

    @Override
    public boolean inSlowStart() {
        return windowBytes < slowStartThreshold;
    }
}
