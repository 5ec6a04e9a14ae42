package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.testkit.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {
    private static final Duration MS = Duration.ofMillis(1);

    private final ManualClock clock = new ManualClock();
    private final ReconnectBackoff backoff = new ReconnectBackoff();
    private final PeerId peer = Identity.generate().peerId();
    private final PeerId other = Identity.generate().peerId();

    @Test
    void aLostMemberIsTriedAtOnceThenAfterOneSecondThenTwoThenFour() {
        assertThat(backoff.mayTry(peer, clock.nanoTime())).isTrue();

        assertThat(backoff.failed(peer, clock.nanoTime())).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1).minus(MS));
        assertThat(backoff.mayTry(peer, clock.nanoTime())).isFalse();
        clock.advance(MS);
        assertThat(backoff.mayTry(peer, clock.nanoTime())).isTrue();

        assertThat(backoff.failed(peer, clock.nanoTime())).isEqualTo(Duration.ofSeconds(2));
        clock.advance(Duration.ofSeconds(2).minus(MS));
        assertThat(backoff.mayTry(peer, clock.nanoTime())).isFalse();
        clock.advance(MS);
        assertThat(backoff.failed(peer, clock.nanoTime())).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.mayTry(other, clock.nanoTime())).as("another peer waits for nothing").isTrue();
    }

    @Test
    void theWaitStopsGrowingAtSixtySeconds() {
        Duration wait = Duration.ZERO;
        for (int i = 0; i < 10; i++) {
            wait = backoff.failed(peer, clock.nanoTime());
        }
        assertThat(wait).isEqualTo(ReconnectBackoff.MAX);
    }

    @Test
    void aMemberThatConnectedAgainIsTriedAtOnceAfterItsNextLoss() {
        backoff.failed(peer, clock.nanoTime());
        backoff.failed(peer, clock.nanoTime());
        backoff.succeeded(peer);
        assertThat(backoff.mayTry(peer, clock.nanoTime())).isTrue();
        assertThat(backoff.failed(peer, clock.nanoTime())).isEqualTo(ReconnectBackoff.FIRST);
    }
}
