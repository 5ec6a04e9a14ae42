package io.crust.testkit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class LinkShapeTest {

    @Test
    void roundTripIsTwiceTheOneWayDelay() {
        assertThat(LinkShape.delay(Duration.ofMillis(25)).roundTrip()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void everySettingReachesTheEmulatorFlags() {
        LinkShape shape = LinkShape.delay(Duration.ofMillis(25)).withJitter(Duration.ofMillis(3)).withLoss(0.01)
                .withDuplication(0.02).withReordering(0.03, Duration.ofMillis(7))
                .withRate(10_000_000, Duration.ofMillis(80)).withSeed(42);
        assertThat(shape.flags()).containsExactly("--delay-ms=25.000", "--jitter-ms=3.000", "--loss=0.01",
                "--duplication=0.02", "--reorder=0.03", "--reorder-hold-ms=7.000", "--rate-bps=10000000",
                "--queue-limit-ms=80.000", "--seed=42");
    }

    @Test
    void impossibleSettingsAreRejected() {
        assertThatThrownBy(() -> LinkShape.delay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinkShape.delay(Duration.ZERO).withLoss(2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinkShape.delay(Duration.ZERO).withRate(-5, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
