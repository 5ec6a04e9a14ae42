package io.crust.core.connect;

import java.time.Duration;
import java.util.List;

/**
 * When a {@link Race} starts its next attempt, gives up, or waits: the whole decision, with no threads
 * and no clock of its own (the race passes the time in), so it runs on a manual clock in tests.
 *
 * <p>RFC 8305 section 5: "Starting a new connection attempt does not affect previous attempts ... A
 * simple implementation can have a fixed delay for how long to wait before starting the next connection
 * attempt." Ours: attempt {@code i} is due {@code delays[i]} after attempt {@code i-1} started (the first
 * after the race started); it starts at once when every attempt started so far has failed; and it waits
 * while an earlier attempt whose transport is up is still running, as RFC 8305 times its delay to the
 * transport handshake, not to what follows it (our Noise handshake).
 *
 * <p>Not thread-safe: the race calls it under its lock.
 */
final class RaceSchedule {
    /** What the race does next. */
    sealed interface Step {
    }

    /** Start attempt {@code index} now. */
    record Start(int index) implements Step {
    }

    /** Nothing to do before {@code untilNanos} (or before an attempt finishes). */
    record Wait(long untilNanos) implements Step {
    }

    /** Every attempt failed. */
    record AllFailed() implements Step {
    }

    /** The timeout passed with no attempt won and some still running. */
    record TimedOut() implements Step {
    }

    private final List<Duration> delays;
    private final long deadlineNanos;
    private int started;
    private long nextStartNanos;

    /**
     * @param delays each attempt's delay after the one before it started (the first's: after {@code nowNanos})
     * @param nowNanos when the race starts
     * @param timeout how long the race may run
     */
    RaceSchedule(List<Duration> delays, long nowNanos, Duration timeout) {
        this.delays = List.copyOf(delays);
        this.deadlineNanos = nowNanos + timeout.toNanos();
        this.nextStartNanos = nowNanos + (delays.isEmpty() ? 0 : delays.get(0).toNanos());
    }

    /**
     * The next step at {@code nowNanos}, given how many attempts have failed and how many running ones
     * said their transport is up. A {@link Start} counts as done: the caller starts that attempt.
     */
    Step next(long nowNanos, int failed, int establishedRunning) {
        if (started < delays.size()) {
            boolean due = nowNanos - nextStartNanos >= 0 && establishedRunning == 0;
            if (due || failed == started) {
                int index = started++;
                nextStartNanos = nowNanos + (started < delays.size() ? delays.get(started).toNanos() : 0);
                return new Start(index);
            }
        }
        if (failed == delays.size()) {
            return new AllFailed();
        }
        if (nowNanos - deadlineNanos >= 0) {
            return new TimedOut();
        }
        long wake = deadlineNanos;
        if (started < delays.size() && establishedRunning == 0 && nextStartNanos - deadlineNanos < 0) {
            wake = nextStartNanos;
        }
        return new Wait(wake);
    }
}
