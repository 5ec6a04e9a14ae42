package io.crust.nat.log;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Log lines for events a remote host can cause at will (a refused handshake, a malformed reply, a
 * dropped event): at most one line per {@code interval} reaches INFO or WARN; the others go to DEBUG,
 * and the next line that gets through is followed by how many were held back. A flood of hostile
 * packets therefore costs at most one line per interval in the application's log, and nothing is
 * lost for someone debugging at DEBUG.
 *
 * <p>One instance per kind of event. Thread-safe and lock-free: any thread may log.
 */
public final class RateLimitedLog {
    /** The interval Crust uses for remote events. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private final Logger logger;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** When the next line may reach its level; starts in the past so the first one does. */
    private final AtomicLong nextNanos;
    private final AtomicLong heldBack = new AtomicLong();

    /**
     * A log that lets one line per {@link #DEFAULT_INTERVAL} through.
     *
     * @param logger where the lines go
     */
    public RateLimitedLog(Logger logger) {
        this(logger, DEFAULT_INTERVAL, System::nanoTime);
    }

    /**
     * With an explicit interval and clock.
     *
     * @param logger    where the lines go
     * @param interval  at most one line per interval reaches INFO or WARN; positive
     * @param nanoClock the time in nanoseconds, {@code System::nanoTime} outside tests
     * @throws IllegalArgumentException if interval is not positive
     */
    public RateLimitedLog(Logger logger, Duration interval, LongSupplier nanoClock) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.intervalNanos = interval.toNanos();
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.nextNanos = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Logs at INFO, or at DEBUG when a line already went out in this interval.
     *
     * @param format    an SLF4J format, {@code {}} for each argument
     * @param arguments the values for the format
     * @return true if the line was logged at INFO
     */
    public boolean info(String format, Object... arguments) {
        if (!admit()) {
            logger.debug(format, arguments);
            return false;
        }
        logger.info(format, arguments);
        reportHeldBack(false);
        return true;
    }

    /**
     * Logs at WARN, or at DEBUG when a line already went out in this interval.
     *
     * @param format    an SLF4J format, {@code {}} for each argument
     * @param arguments the values for the format
     * @return true if the line was logged at WARN
     */
    public boolean warn(String format, Object... arguments) {
        if (!admit()) {
            logger.debug(format, arguments);
            return false;
        }
        logger.warn(format, arguments);
        reportHeldBack(true);
        return true;
    }

    /** {@return how many lines were held back (logged at DEBUG only) since the last one that got through} */
    public long heldBack() {
        return heldBack.get();
    }

    private boolean admit() {
        long now = nanoClock.getAsLong();
        long next = nextNanos.get();
        if (now - next >= 0 && nextNanos.compareAndSet(next, now + intervalNanos)) {
            return true;
        }
        heldBack.incrementAndGet();
        return false;
    }

    private void reportHeldBack(boolean warn) {
        long n = heldBack.getAndSet(0);
        if (n == 0) {
            return;
        }
        String format = "... and {} more like it since the previous such line (logged at DEBUG only)";
        if (warn) {
            logger.warn(format, n);
        } else {
            logger.info(format, n);
        }
    }
}
