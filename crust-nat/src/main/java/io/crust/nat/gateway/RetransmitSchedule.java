package io.crust.nat.gateway;

import java.time.Duration;

/**
 * When to resend a NAT-PMP or PCP request. Pure: the caller asks for the timeout of attempt {@code n}.
 *
 * <p>NAT-PMP (RFC 6886 section 3.1): first wait 250 ms, then double, 9 sends in total. PCP (RFC 6887
 * section 8.1.1): RT = (1 + RAND) * IRT with IRT 3 s, then RT = (2 + RAND) * RT_prev capped at MRT 1024 s,
 * RAND uniform in [-0.1, +0.1]. Both are cut by a total bound ({@code exchangeTimeout}) and an attempt cap.
 */
public final class RetransmitSchedule {
    private static final long MRT_NANOS = Duration.ofSeconds(1024).toNanos();

    private final long initialNanos;
    private final boolean randomized;
    private final int maxAttempts;
    private final java.util.random.RandomGenerator random;

    private RetransmitSchedule(long initialNanos, boolean randomized, int maxAttempts,
            java.util.random.RandomGenerator random) {
        this.initialNanos = initialNanos;
        this.randomized = randomized;
        this.maxAttempts = maxAttempts;
        this.random = random;
    }

    /** RFC 6886: initial, doubling. */
    public static RetransmitSchedule natPmp(Duration initial, int maxAttempts) {
        return new RetransmitSchedule(initial.toNanos(), false, maxAttempts, null);
    }

    /** RFC 6887: initial with +-10 % jitter, roughly doubling, capped at 1024 s. */
    public static RetransmitSchedule pcp(Duration initial, int maxAttempts, java.util.random.RandomGenerator random) {
        return new RetransmitSchedule(initial.toNanos(), true, maxAttempts, random);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** The wait after send number {@code attempt} (0-based), given the previous wait (ignored for attempt 0). */
    public long timeoutNanos(int attempt, long previousNanos) {
        if (!randomized) {
            return Math.min(MRT_NANOS, initialNanos << Math.min(attempt, 30));
        }
        double rand = random.nextDouble(-0.1, 0.1);
        double next = attempt == 0 ? (1 + rand) * initialNanos : (2 + rand) * previousNanos;
        return (long) Math.min(MRT_NANOS, next);
    }
}
