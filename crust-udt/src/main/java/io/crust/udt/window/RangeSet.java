package io.crust.udt.window;

/**
 * A set of {@code long} values kept as at most {@code maxRanges} disjoint, sorted half-open ranges
 * {@code [start, end)}. Used for received packet numbers (the source of ACK ranges) and for stream
 * bytes received or acknowledged. No allocation after construction.
 *
 * <p>When an insertion would need more than {@code maxRanges} ranges, the set forgets its lowest range
 * (for packet numbers: the oldest, least useful information) and reports it through
 * {@link #forgottenBelow()}, so that callers can treat values below it as already seen.
 */
public final class RangeSet {
    private final long[] starts;
    private final long[] ends;
    private int count;
    private long forgottenBelow = Long.MIN_VALUE;

    public RangeSet(int maxRanges) {
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be at least 1");
        }
        starts = new long[maxRanges];
        ends = new long[maxRanges];
    }

    /** Number of ranges held. */
    public int rangeCount() {
        return count;
    }

    /** Start (inclusive) of range {@code i}, counted from the lowest. */
    public long start(int i) {
        return starts[i];
    }

    /** End (exclusive) of range {@code i}, counted from the lowest. */
    public long end(int i) {
        return ends[i];
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** One past the highest value held; {@code Long.MIN_VALUE} when empty. */
    public long highestEnd() {
        return count == 0 ? Long.MIN_VALUE : ends[count - 1];
    }

    /** Values below this were dropped when the set ran out of ranges. */
    public long forgottenBelow() {
        return forgottenBelow;
    }

    public boolean contains(long value) {
        for (int i = count - 1; i >= 0; i--) {
            if (value >= starts[i]) {
                return value < ends[i];
            }
        }
        return false;
    }

    /** Whether {@code [start, end)} lies entirely inside one range. */
    public boolean containsRange(long start, long end) {
        for (int i = count - 1; i >= 0; i--) {
            if (start >= starts[i]) {
                return end <= ends[i];
            }
        }
        return false;
    }

    /** Adds one value; returns false if it was already present. */
    public boolean add(long value) {
        if (contains(value)) {
            return false;
        }
        add(value, value + 1);
        return true;
    }

    /** Adds {@code [start, end)}, merging with neighbours. Empty ranges are ignored. */
    public void add(long start, long end) {
        if (start >= end) {
            return;
        }
        // Find the first range whose end >= start (it may touch or overlap the new one).
        int i = count;
        while (i > 0 && ends[i - 1] >= start) {
            i--;
        }
        // Ranges i..j-1 overlap or touch [start, end).
        int j = i;
        while (j < count && starts[j] <= end) {
            start = Math.min(start, starts[j]);
            end = Math.max(end, ends[j]);
            j++;
        }
        int removed = j - i;
        if (removed == 0) {
            if (count == starts.length) {
                if (i == 0) {
                    forgottenBelow = Math.max(forgottenBelow, end);
                    return; // the new range would be the lowest: forget it at once
                }
                forgetLowest();
                i--;
            }
            System.arraycopy(starts, i, starts, i + 1, count - i);
            System.arraycopy(ends, i, ends, i + 1, count - i);
            count++;
        } else if (removed > 1) {
            System.arraycopy(starts, j, starts, i + 1, count - j);
            System.arraycopy(ends, j, ends, i + 1, count - j);
            count -= removed - 1;
        }
        starts[i] = start;
        ends[i] = end;
    }

    /** Removes {@code [start, end)} from the set. */
    public void remove(long start, long end) {
        if (start >= end) {
            return;
        }
        for (int i = count - 1; i >= 0; i--) {
            long s = starts[i];
            long e = ends[i];
            if (e <= start) {
                break;
            }
            if (s >= end) {
                continue;
            }
            if (s < start && e > end) { // split in two
                if (count == starts.length) {
                    forgetLowest();
                    i--;
                }
                System.arraycopy(starts, i + 1, starts, i + 2, count - i - 1);
                System.arraycopy(ends, i + 1, ends, i + 2, count - i - 1);
                count++;
                ends[i] = start;
                starts[i + 1] = end;
                ends[i + 1] = e;
                return;
            } else if (s < start) {
                ends[i] = start;
            } else if (e > end) {
                starts[i] = end;
            } else {
                System.arraycopy(starts, i + 1, starts, i, count - i - 1);
                System.arraycopy(ends, i + 1, ends, i, count - i - 1);
                count--;
            }
        }
    }

    /** Removes every value below {@code value}. */
    public void removeBelow(long value) {
        if (count > 0 && starts[0] < value) {
            remove(starts[0], value);
        }
    }

    public void clear() {
        count = 0;
    }

    private void forgetLowest() {
        forgottenBelow = Math.max(forgottenBelow, ends[0]);
        System.arraycopy(starts, 1, starts, 0, count - 1);
        System.arraycopy(ends, 1, ends, 0, count - 1);
        count--;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "" : ", ").append(starts[i]).append("..").append(ends[i]);
        }
        return b.append(']').toString();
    }
}
