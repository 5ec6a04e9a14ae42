package io.crust.udt.congestion;

import java.util.Arrays;

/**
 * The largest value seen over the last {@code windowRounds} round trips: one slot per round, kept in a
 * ring, so an old maximum ages out exactly when its round leaves the window. BBR keeps its bottleneck
 * bandwidth (the fastest delivery rate recently seen) and its ACK-aggregation allowance this way.
 */
public final class WindowedMaxFilter {
    private final long[] slotRound;
    private final double[] slotMax;
    private long latestRound = Long.MIN_VALUE;

    public WindowedMaxFilter(int windowRounds) {
        slotRound = new long[windowRounds];
        slotMax = new double[windowRounds];
        Arrays.fill(slotRound, Long.MIN_VALUE);
    }

    /** Records {@code value}, seen in round {@code round} (rounds never go back). */
    public void update(double value, long round) {
        int i = (int) Math.floorMod(round, (long) slotRound.length);
        if (slotRound[i] != round) {
            slotRound[i] = round;
            slotMax[i] = value;
        } else if (value > slotMax[i]) {
            slotMax[i] = value;
        }
        latestRound = Math.max(latestRound, round);
    }

    /** The maximum over the window ending at the latest round recorded; 0 before any value. */
    public double get() {
        double max = 0;
        for (int i = 0; i < slotRound.length; i++) {
            if (slotRound[i] != Long.MIN_VALUE && latestRound - slotRound[i] < slotRound.length) {
                max = Math.max(max, slotMax[i]);
            }
        }
        return max;
    }

    /** Forgets everything. */
    public void reset() {
        Arrays.fill(slotRound, Long.MIN_VALUE);
        latestRound = Long.MIN_VALUE;
    }
}
