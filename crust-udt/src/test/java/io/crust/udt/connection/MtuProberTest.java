package io.crust.udt.connection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The path MTU search's decisions about lost and refused probes (RFC 8899), on the clock passed in. */
class MtuProberTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aSizeLostThreeTimesIsTriedAgainAfterTheResearchDelayNotNeverAgain() {
        MtuProber prober = new MtuProber(1200, 65_507, true);
        long now = 10 * SECOND;
        for (int i = 0; i < MtuProber.MAX_PROBES; i++) {
            assertThat(prober.wantsProbe(now)).isTrue();
            assertThat(prober.candidateBytes()).isEqualTo(1452);
            prober.onProbeSent(i);
            prober.onProbeLost(false, now); // lost to congestion as easily as to its size
        }
        assertThat(prober.wantsProbe(now + MtuProber.RESEARCH_DELAY_NANOS - 1)).isFalse();
        assertThat(prober.wantsProbe(now + MtuProber.RESEARCH_DELAY_NANOS)).isTrue();
        assertThat(prober.candidateBytes()).isEqualTo(1452);
        prober.onProbeSent(7);
        assertThat(prober.onProbeAcked()).isEqualTo(1452);
        assertThat(prober.candidateBytes()).isEqualTo(1472);
    }

    @Test
    void aSizeTheLocalStackRefusesEndsTheSearchForGood() {
        MtuProber prober = new MtuProber(1200, 65_507, true);
        prober.onProbeSent(1);
        prober.onProbeAcked(); // 1452
        assertThat(prober.wantsProbe(0)).isTrue();
        prober.onProbeSent(2);
        prober.onProbeLost(true, 0);
        assertThat(prober.wantsProbe(1000 * SECOND)).isFalse();
        assertThat(prober.currentPayloadBytes()).isEqualTo(1452);
    }

    @Test
    void aSuspectedBlackHoleEndsWhenAPacketOfTheOldSizeIsAcknowledged() {
        MtuProber prober = new MtuProber(1200, 1472, true);
        prober.onProbeSent(1);
        prober.onProbeAcked();
        prober.onProbeSent(2);
        assertThat(prober.onProbeAcked()).isEqualTo(1472);
        assertThat(prober.onBlackHoleSuspected(SECOND)).isEqualTo(1200);

        assertThat(prober.onPacketAcked(1300)).as("a shorter packet proves nothing about 1,472").isEqualTo(1200);
        assertThat(prober.onPacketAcked(1472)).isEqualTo(1472);
        assertThat(prober.wantsProbe(SECOND + MtuProber.RESEARCH_DELAY_NANOS))
                .as("no search from the bottom later: the size was confirmed").isFalse();
        assertThat(prober.currentPayloadBytes()).isEqualTo(1472);
    }

    @Test
    void aRealBlackHoleKeepsTheBaseSizeUntilTheSearchDelay() {
        MtuProber prober = new MtuProber(1200, 1472, true);
        prober.onProbeSent(1);
        prober.onProbeAcked();
        prober.onBlackHoleSuspected(SECOND);
        assertThat(prober.onPacketAcked(1200)).isEqualTo(1200);
        assertThat(prober.wantsProbe(SECOND + MtuProber.RESEARCH_DELAY_NANOS - 1)).isFalse();
        assertThat(prober.wantsProbe(SECOND + MtuProber.RESEARCH_DELAY_NANOS)).isTrue();
        assertThat(prober.candidateBytes()).isEqualTo(1452);
    }
}
