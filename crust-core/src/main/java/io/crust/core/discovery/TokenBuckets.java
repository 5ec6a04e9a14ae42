package io.crust.core.discovery;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * One token bucket per key (a source address, a peer id), with a cap on how many keys are tracked so
 * that a flood of forged sources cannot grow memory: when the cap is reached the key used least
 * recently is forgotten (it starts again with a full bucket, which costs at most one burst).
 *
 * <p>Each bucket holds at most {@code burst} tokens and gains {@code tokensPerSecond}; taking a token
 * succeeds only if one is there. Pure: the caller passes the time. Not thread-safe.
 */
final class TokenBuckets<K> {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double burst;
    private final double tokensPerNano;
    private final int maxKeys;
    /** Access order: the first key is the least recently used. */
    private final LinkedHashMap<K, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long lastRefillNanos;

        Bucket(double tokens, long lastRefillNanos) {
            this.tokens = tokens;
            this.lastRefillNanos = lastRefillNanos;
        }
    }

    TokenBuckets(int burst, double tokensPerSecond, int maxKeys) {
        if (burst < 1 || tokensPerSecond <= 0 || maxKeys < 1) {
            throw new IllegalArgumentException("burst, rate and maxKeys must be positive");
        }
        this.burst = burst;
        this.tokensPerNano = tokensPerSecond / NANOS_PER_SECOND;
        this.maxKeys = maxKeys;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Takes one token from {@code key}'s bucket; false if it is empty. */
    boolean tryTake(K key, long nowNanos) {
        return tryTake(key, 1, nowNanos);
    }

    /** Takes {@code tokens} tokens from {@code key}'s bucket if it holds that many; false (nothing taken) if not. */
    boolean tryTake(K key, int tokens, long nowNanos) {
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                Iterator<K> eldest = buckets.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
            bucket = new Bucket(burst, nowNanos);
            buckets.put(key, bucket);
        } else {
            long elapsedNanos = nowNanos - bucket.lastRefillNanos;
            if (elapsedNanos > 0) {
                bucket.tokens = Math.min(burst, bucket.tokens + elapsedNanos * tokensPerNano);
                bucket.lastRefillNanos = nowNanos;
            }
        }
        if (bucket.tokens >= tokens) {
            bucket.tokens -= tokens;
            return true;
        }
        return false;
    }

    /** Forgets {@code key} (for example a disconnected peer). */
    void forget(K key) {
        buckets.remove(key);
    }

    /** How many keys are tracked now. */
    int trackedKeys() {
        return buckets.size();
    }
}
