package io.crust.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstIsAllowedThenTokensComeBackAtTheRate() {
        TokenBuckets<String> buckets = new TokenBuckets<>(3, 2.0, 10);
        long now = 5 * SECOND;

        assertThat(buckets.tryTake("a", now)).isTrue();
        assertThat(buckets.tryTake("a", now)).isTrue();
        assertThat(buckets.tryTake("a", now)).isTrue();
        assertThat(buckets.tryTake("a", now)).isFalse();
        assertThat(buckets.tryTake("a", now + SECOND / 4)).isFalse();
        assertThat(buckets.tryTake("a", now + SECOND / 2)).isTrue();
        assertThat(buckets.tryTake("a", now + SECOND / 2)).isFalse();
    }

    @Test
    void eachKeyHasItsOwnBucket() {
        TokenBuckets<String> buckets = new TokenBuckets<>(1, 1.0, 10);

        assertThat(buckets.tryTake("a", 0)).isTrue();
        assertThat(buckets.tryTake("a", 0)).isFalse();
        assertThat(buckets.tryTake("b", 0)).isTrue();
    }

    @Test
    void tokensNeverExceedTheBurstAfterALongPause() {
        TokenBuckets<String> buckets = new TokenBuckets<>(2, 1.0, 10);
        buckets.tryTake("a", 0);

        long later = 3600 * SECOND;
        assertThat(buckets.tryTake("a", 3, later)).isFalse();
        assertThat(buckets.tryTake("a", 2, later)).isTrue();
    }

    @Test
    void theNumberOfTrackedKeysIsCappedByForgettingTheLeastRecentlyUsed() {
        TokenBuckets<Integer> buckets = new TokenBuckets<>(1, 0.001, 3);
        for (int key = 0; key < 3; key++) {
            buckets.tryTake(key, 0);
        }
        buckets.tryTake(0, 1);
        buckets.tryTake(99, 2);

        assertThat(buckets.trackedKeys()).isEqualTo(3);
        assertThat(buckets.tryTake(0, 3)).as("key 0 was used recently and is still empty").isFalse();
        assertThat(buckets.tryTake(1, 3)).as("key 1 was forgotten and starts full").isTrue();
    }

    @Test
    void aClockThatGoesBackDoesNotAddTokens() {
        TokenBuckets<String> buckets = new TokenBuckets<>(1, 1.0, 10);
        buckets.tryTake("a", 10 * SECOND);

        assertThat(buckets.tryTake("a", 5 * SECOND)).isFalse();
        assertThat(buckets.tryTake("a", 10 * SECOND + SECOND / 2)).isFalse();
        assertThat(buckets.tryTake("a", 11 * SECOND)).isTrue();
    }
}
