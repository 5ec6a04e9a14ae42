package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.PeerId;
import io.crust.core.Priority;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;

import io.crust.core.wire.WireMessage;
import io.crust.testkit.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node's clock-driven work on a manual clock: each tick is called with the time the test chose, and
 * the connections read the same clock, so every deadline is checked to the millisecond without a sleep.
 */
class TickerTest {
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(8);
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration MS = Duration.ofMillis(1);

    private final ManualClock clock = new ManualClock();
    private final PipeConnections pipes = new PipeConnections(clock);
    private final EventQueue events = new EventQueue(64);
    private final PeerTable table = new PeerTable(pipes.me.peerId(), events, 16, 16, 16, 1 << 20, 0, peer -> { }, clock);
    private final List<PeerId> directRetries = new ArrayList<>();
    private final AtomicInteger publications = new AtomicInteger();
    private final Ticker ticker = new Ticker(
            CrustConfig.builder().heartbeatInterval(INTERVAL).heartbeatTimeout(TIMEOUT).handshakeTimeout(GRACE).build(),
            table, new Ticker.Jobs(directRetries::add, publications::incrementAndGet, now -> { }, () -> { }),
            () -> false, clock);
    private final long start = clock.nanoTime();

    @AfterEach
    void closeConnections() throws Exception {
        pipes.close();
    }

    @Test
    void aConnectionSilentForExactlyTheHeartbeatTimeoutStaysAndOneMillisecondMoreClosesItAsLost() throws Exception {
        PeerConnection c = pipes.open(Route.DIRECT, Transport.TCP);
        table.add(c);

        tickAt(TIMEOUT);
        assertThat(c.isOpen()).isTrue();

        tickAt(TIMEOUT.plus(MS));
        assertThat(c.isOpen()).isFalse();
        assertThat(pipes.closeCause(c).lost()).isEqualTo(CrustEvent.PeerLost.Reason.HEARTBEAT_TIMEOUT);
        assertThat(pipes.closeCause(c).reason()).isEqualTo("no heartbeat for 8001 ms");
    }

    @Test
    @Timeout(30) // the far end's receive has no timeout of its own
    void anIdleConnectionSendsAHeartbeatOncePerHeartbeatInterval() throws Exception {
        PeerConnection c = pipes.open(Route.DIRECT, Transport.TCP);
        table.add(c);
        c.start();

        tickAt(INTERVAL.minus(MS));
        tickAt(INTERVAL);                                  // beat 1
        tickAt(INTERVAL.plus(INTERVAL.dividedBy(2)));
        tickAt(INTERVAL.multipliedBy(2).minus(MS));
        tickAt(INTERVAL.multipliedBy(2));                  // beat 2
        c.sendApp("marker".getBytes(), Priority.HIGH);     // everything queued before it has gone out when it arrives

        int heartbeats = 0;
        WireMessage m;
        while (!((m = pipes.receivedByThem(c)) instanceof WireMessage.App)) {
            assertThat(m).isInstanceOf(WireMessage.Heartbeat.class);
            heartbeats++;
        }
        assertThat(heartbeats).isEqualTo(2);
    }

    @Test
    void aRelayedPeerGetsATryAtADirectPathEveryThreeSecondsAndADirectlyConnectedOneNone() throws Exception {
        PeerConnection relayed = pipes.open(Route.RELAYED, Transport.TCP);
        table.add(relayed);

        tickAt(Duration.ofMillis(2999));
        assertThat(directRetries).isEmpty();
        tickAt(Duration.ofSeconds(3));
        assertThat(directRetries).containsExactly(relayed.remote());
        tickAt(Duration.ofMillis(5999));
        assertThat(directRetries).hasSize(1);
        tickAt(Duration.ofSeconds(6));
        assertThat(directRetries).hasSize(2);

        PipeConnections.end(table, relayed, CloseCause.quiet("moved"));
        assertThat(table.add(pipes.open(Route.PUNCHED, Transport.UDT)).route()).isEqualTo(Route.PUNCHED);
        tickAt(Duration.ofSeconds(9));
        assertThat(directRetries).hasSize(2);
    }

    @Test
    void theNodesOwnGossipRecordIsPublishedAgainEveryTenMinutes() {
        tickAt(Duration.ofMinutes(10).minus(MS));
        assertThat(publications).hasValue(0);
        tickAt(Duration.ofMinutes(10));
        assertThat(publications).hasValue(1);
        tickAt(Duration.ofMinutes(20).minus(MS));
        assertThat(publications).hasValue(1);
        tickAt(Duration.ofMinutes(20));
        assertThat(publications).hasValue(2);
    }

    @Test
    void aPeerWhoseRetiredConnectionIsNeverReplacedIsReportedLostWhenTheHandshakeTimeoutRunsOut() throws Exception {
        PeerConnection c = pipes.open(Route.PUNCHED, Transport.TCP);
        table.add(c);
        events.drain();
        tickAt(Duration.ofSeconds(1));                     // a sign of life is not needed: the peer retired it
        c.retire();
        PipeConnections.end(table, c, CloseCause.quiet("duplicate connection retired"));  // orphaned at +1 s

        tickAt(Duration.ofSeconds(1).plus(GRACE));
        assertThat(events.drain()).isEmpty();
        assertThat(table.handle(c.remote())).isPresent();

        tickAt(Duration.ofSeconds(1).plus(GRACE).plus(MS));
        assertThat(events.drain()).singleElement().isInstanceOfSatisfying(CrustEvent.PeerLost.class,
                lost -> assertThat(lost.reason()).isEqualTo(CrustEvent.PeerLost.Reason.REPLACEMENT_NEVER_CAME));
        assertThat(table.handle(c.remote())).isEmpty();
    }

    /** Moves the clock to {@code sinceStart} after the test began and runs one tick there. */
    private void tickAt(Duration sinceStart) {
        clock.advanceTo(start + sinceStart.toNanos());
        ticker.tick(clock.nanoTime());
    }
}
