package io.crust.core.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.CrustException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Happy Eyeballs race on its own, with attempts that block on latches instead of sockets. */
class RaceTest {
    private static final Duration LONG = Duration.ofSeconds(20);

    @Test
    void theNextAttemptStartsAfterItsDelayWhileTheFirstHangs() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        long start = System.nanoTime();

        String winner = new Race<String>("peer")
                .then("hangs", Duration.ZERO, established -> {
                    never.await();
                    return "first";
                })
                .then("answers", Duration.ofMillis(200), established -> "second")
                .run(LONG);

        assertThat(winner).isEqualTo("second");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(200), LONG.dividedBy(4));
    }

    @Test
    void theNextAttemptStartsAtOnceWhenEveryEarlierOneFailed() throws Exception {
        long start = System.nanoTime();

        String winner = new Race<String>("peer")
                .then("refused", Duration.ZERO, established -> {
                    throw new CrustException("connection refused");
                })
                .then("answers", LONG, established -> "second")
                .run(LONG.multipliedBy(2));

        assertThat(winner).isEqualTo("second");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG.dividedBy(4));
    }

    @Test
    void anEstablishedAttemptHoldsTheNextOneUntilItsOutcome() throws Exception {
        CountDownLatch finish = new CountDownLatch(1);
        CountDownLatch firstEstablished = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        // The delay leaves the first attempt's thread ample time to be scheduled and say it is
        // established, even on a loaded machine (with 50 ms it once was not, and the second ran).
        Race<String> race = new Race<String>("peer")
                .then("established", Duration.ZERO, established -> {
                    established.run();
                    firstEstablished.countDown();
                    finish.await();
                    return "first";
                })
                .then("later", Duration.ofSeconds(1), established -> {
                    secondStarted.countDown();
                    return "second";
                });
        Thread releaser = Thread.ofVirtual().start(() -> {
            try {
                firstEstablished.await();
                // Well past the 1 s delay: the second attempt must still not have started.
                boolean startedEarly = secondStarted.await(1500, TimeUnit.MILLISECONDS);
                finish.countDown();
                assertThat(startedEarly).isFalse();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(race.run(LONG)).isEqualTo("first");
        releaser.join();
        assertThat(secondStarted.getCount()).isEqualTo(1);
    }

    @Test
    void theLosersAreInterruptedWhenOneWins() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch hanging = new CountDownLatch(1);

        String winner = new Race<String>("peer")
                .then("hangs", Duration.ZERO, established -> {
                    hanging.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return "never";
                })
                .then("answers", Duration.ZERO, established -> {
                    hanging.await();
                    return "second";
                })
                .run(LONG);

        assertThat(winner).isEqualTo("second");
        assertThat(interrupted.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void anAttemptLeftToCompletionFinishesAfterAnotherWon() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();

        String winner = new Race<String>("peer")
                .thenToCompletion("hands over", Duration.ZERO, established -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                    finished.countDown();
                    return "first";
                })
                .then("answers", Duration.ZERO, established -> "second")
                .run(LONG);
        release.countDown();

        assertThat(winner).isEqualTo("second");
        assertThat(finished.await(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(interrupted).isFalse();
    }

    @Test
    void whenEveryAttemptFailsTheErrorNamesEachOne() {
        assertThatThrownBy(() -> new Race<String>("peer 1a2b")
                .then("tcp", Duration.ZERO, established -> {
                    throw new CrustException("SYN dropped");
                })
                .then("udt", Duration.ofMillis(100), established -> {
                    throw new CrustException("no answer");
                })
                .run(LONG))
                .isInstanceOf(CrustException.class)
                .hasMessage("cannot reach peer 1a2b: tcp: SYN dropped; udt: no answer");
    }

    @Test
    void aRaceWithNoSuccessEndsAtItsTimeout() {
        assertThatThrownBy(() -> new Race<String>("peer")
                .then("hangs", Duration.ZERO, established -> {
                    new CountDownLatch(1).await();
                    return "never";
                })
                .run(Duration.ofMillis(200)))
                .isInstanceOf(CrustException.class)
                .hasMessageContaining("nothing answered within 200 ms");
    }
}
