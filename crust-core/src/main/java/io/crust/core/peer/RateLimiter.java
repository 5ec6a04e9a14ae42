package io.crust.core.peer;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, holding at most one second's worth. Pure:
 * time comes in as {@code nowNanos}. Used by one reader thread, so not thread-safe.
 */
public final class RateLimiter {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private final long ratePerSecond;
    private final long capacityNanoTokens;
    private long nanoTokens;
    private long lastNanos;

    public RateLimiter(int ratePerSecond, long nowNanos) {
        this.ratePerSecond = ratePerSecond;
        this.capacityNanoTokens = ratePerSecond * NANOS_PER_SECOND;
        this.nanoTokens = capacityNanoTokens;
        this.lastNanos = nowNanos;
    }

    /** Takes one token; false when the bucket is empty (the sender exceeds the rate). */
    public boolean tryAcquire(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = nowNanos;
        // Tokens are counted in units of 1/1e9 so refill needs no division: elapsed ns x rate.
        long refill = elapsed > capacityNanoTokens / Math.max(1, ratePerSecond) ? capacityNanoTokens : elapsed * ratePerSecond;
        nanoTokens = Math.min(capacityNanoTokens, nanoTokens + refill);
        if (nanoTokens < NANOS_PER_SECOND) {
            return false;
        }
        nanoTokens -= NANOS_PER_SECOND;
        return true;
    }
}
