package io.crust.testkit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A nanosecond clock that only moves when a test moves it.
 *
 * <p>Protocol code takes its time source as a {@code LongSupplier nanoClock} (in production
 * {@code System::nanoTime}); tests pass a {@code ManualClock} instead and call {@link #advance}
 * between steps, so timers such as retransmission timeouts fire exactly when the test says.
 *
 * <p>Thread-safe: several threads may read it while one advances it.
 */
public final class ManualClock implements LongSupplier {

    private final AtomicLong nowNanos;

    /** A clock that starts at an arbitrary non-zero value, as {@link System#nanoTime()} does. */
    public ManualClock() {
        this(1_000_000_000_000L);
    }

    /** A clock that starts at {@code startNanos} (which may be negative, like {@code nanoTime}). */
    public ManualClock(long startNanos) {
        this.nowNanos = new AtomicLong(startNanos);
    }

    /** The current reading, in nanoseconds; only differences between readings are meaningful. */
    public long nanoTime() {
        return nowNanos.get();
    }

    /** Same as {@link #nanoTime()}, so {@code clock} can be passed where a {@code LongSupplier} is taken. */
    @Override
    public long getAsLong() {
        return nowNanos.get();
    }

    /** Moves the clock forward by {@code step} and returns the new reading. */
    public long advance(Duration step) {
        return advanceNanos(step.toNanos());
    }

    /** Moves the clock forward by {@code stepNanos} (zero or more) and returns the new reading. */
    public long advanceNanos(long stepNanos) {
        if (stepNanos < 0) {
            throw new IllegalArgumentException("a clock does not go back: " + stepNanos + " ns");
        }
        return nowNanos.addAndGet(stepNanos);
    }

    /** Moves the clock forward to {@code targetNanos}; does nothing if it is already there or later. */
    public long advanceTo(long targetNanos) {
        return nowNanos.accumulateAndGet(targetNanos, (now, target) -> target - now > 0 ? target : now);
    }

    @Override
    public String toString() {
        return "ManualClock[" + nowNanos.get() + " ns]";
    }
}
