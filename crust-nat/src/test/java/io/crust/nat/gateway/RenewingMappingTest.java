package io.crust.nat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class RenewingMappingTest {

    /** Counts calls; every acquire grants a lease that asks to be renewed after 50 ms. */
    private static final class CountingLease implements GatewayLease {
        final AtomicInteger acquires = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();
        final AtomicInteger checks = new AtomicInteger();
        volatile boolean failing;
        volatile boolean gone;

        @Override
        public Grant acquire() throws NatException {
            acquires.incrementAndGet();
            if (failing) {
                throw new NatException("gateway unreachable");
            }
            gone = false;
            return grant(renewMillis);
        }

        volatile long renewMillis = 50;

        @Override
        public boolean stillMapped() {
            checks.incrementAndGet();
            return !gone;
        }

        @Override
        public void release() {
            releases.incrementAndGet();
        }
    }

    private static Grant grant(long renewMillis) {
        return new Grant(MappingProtocol.NAT_PMP, InetSocketAddress.createUnresolved("198.51.100.9", 4000),
                Duration.ofMillis(renewMillis * 2), Duration.ofMillis(renewMillis), false, false);
    }

    @Test
    void leaseIsRenewedUntilCloseAndReleasedExactlyOnce() {
        CountingLease lease = new CountingLease();
        AtomicInteger closedCallbacks = new AtomicInteger();
        RenewingMapping mapping = RenewingMapping.start(lease, IpProtocol.UDP, 4000, grant(50), closedCallbacks::incrementAndGet);
        assertThat(Eventually.holds(Duration.ofSeconds(20), () -> lease.acquires.get() >= 3)).isTrue();
        mapping.close();
        int afterClose = lease.acquires.get();
        mapping.close();
        assertThat(lease.releases.get()).isEqualTo(1);
        assertThat(closedCallbacks.get()).isEqualTo(1);
        // close() joined the renewal thread, so no renewal can follow it
        assertThat(lease.acquires.get()).isEqualTo(afterClose);
    }

    @Test
    void failedRenewalIsRetriedAndTheMappingRecovers() {
        CountingLease lease = new CountingLease();
        lease.failing = true;
        RenewingMapping mapping = RenewingMapping.start(lease, IpProtocol.UDP, 4000, grant(50), () -> { });
        assertThat(Eventually.holds(Duration.ofSeconds(20), () -> lease.acquires.get() >= 2)).isTrue();
        lease.failing = false;
        int before = lease.acquires.get();
        assertThat(Eventually.holds(Duration.ofSeconds(20), () -> lease.acquires.get() >= before + 2)).isTrue();
        mapping.close();
        assertThat(lease.releases.get()).isEqualTo(1);
    }

    @Test
    void permanentLeaseIsNeverRenewedButStillReleased() {
        CountingLease lease = new CountingLease();
        Grant permanent = new Grant(MappingProtocol.UPNP, InetSocketAddress.createUnresolved("198.51.100.9", 4000),
                Duration.ZERO, Duration.ZERO, false, false);
        RenewingMapping mapping = RenewingMapping.start(lease, IpProtocol.TCP, 4000, permanent, () -> { });
        assertThat(mapping.lifetime()).isZero();
        mapping.close();
        assertThat(lease.acquires.get()).isZero();
        assertThat(lease.releases.get()).isEqualTo(1);
    }

    @Test
    void aMappingFoundGoneAtACheckIsAcquiredAgainAtOnce() {
        CountingLease lease = new CountingLease();
        lease.renewMillis = Duration.ofHours(1).toMillis();
        RenewingMapping mapping = RenewingMapping.start(lease, IpProtocol.UDP, 4000, grant(lease.renewMillis),
                Duration.ofMillis(100), System::nanoTime, () -> { });
        assertThat(Eventually.holds(Duration.ofSeconds(20), () -> lease.checks.get() >= 2)).isTrue();
        assertThat(lease.acquires.get()).as("still mapped: checked, not renewed").isZero();
        lease.gone = true;
        assertThat(Eventually.holds(Duration.ofSeconds(20), () -> lease.acquires.get() == 1)).isTrue();
        mapping.close();
        assertThat(lease.releases.get()).isEqualTo(1);
    }

    @Test
    void aRestartAnnouncementWakesTheMappingToRequestItselfAgainWhenPeriodicChecksAreOff() {
        CountingLease lease = new CountingLease();
        lease.renewMillis = Duration.ofHours(1).toMillis();
        RenewingMapping mapping = RenewingMapping.start(lease, IpProtocol.UDP, 4000, grant(lease.renewMillis),
                Duration.ZERO, System::nanoTime, () -> { });
        mapping.gatewayAnnouncedRestart();
        assertThat(Eventually.holds(Duration.ofSeconds(20), () -> lease.acquires.get() == 1)).isTrue();
        assertThat(lease.checks.get()).as("no check: the epoch cannot tell two quick restarts apart").isZero();
        mapping.close();
    }
}
