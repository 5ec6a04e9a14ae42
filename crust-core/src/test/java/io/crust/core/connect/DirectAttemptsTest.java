package io.crust.core.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustException;
import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Route;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One meeting's direct paths: our half for CONNECT_INFO, then every attempt at once, counted until it ends. */
class DirectAttemptsTest {
    private static final PeerId PEER = Identity.generate().peerId();
    private static final InetSocketAddress HOST_TCP = new InetSocketAddress("192.0.2.7", 5000);
    private static final InetSocketAddress REFLEXIVE_TCP = new InetSocketAddress("198.51.100.7", 5000);
    private static final InetSocketAddress MAPPED_UDP = new InetSocketAddress("203.0.113.7", 5001);

    private final StubHost host = new StubHost();

    @AfterEach
    void joinTasks() throws InterruptedException {
        host.release.countDown();
        for (Thread t : host.tasks) {
            t.join();
        }
    }

    @Test
    void withoutTheNodesPunchingSidesOurHalfOffersNothing() {
        try (DirectAttempts ours = DirectAttempts.prepare(host, PEER, true, true, 0)) {
            assertThat(ours.punchOffer()).isEmpty();
            assertThat(ours.tcpPunchPort()).isZero();
        }
    }

    @Test
    void aTcpPunchPortIsReservedOnlyWhenAsked() {
        host.tcp = Optional.of(new LoopbackTcp());
        try (DirectAttempts asked = DirectAttempts.prepare(host, PEER, false, true, 0);
                DirectAttempts notAsked = DirectAttempts.prepare(host, PEER, false, false, 0)) {
            assertThat(asked.tcpPunchPort()).isPositive();
            assertThat(notAsked.tcpPunchPort()).isZero();
        }
    }

    @Test
    void everyCandidateIsDialledAtOnceNamingTheRouteOfItsKind() throws InterruptedException {
        ConnectionInfo theirs = everyKindOfCandidate();
        DirectAttempts attempts = startTowards(theirs);

        assertThat(host.allDialling.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(attempts.allFinished()).isFalse();
        assertThat(host.dials).containsOnly(
                Map.entry(theirs.onlyTcp(0), Route.DIRECT), Map.entry(theirs.onlyTcp(1), Route.PUNCHED),
                Map.entry(theirs.onlyUdp(0), Route.MAPPED));

        host.release.countDown();
        attempts.awaitAll();
        assertThat(attempts.allFinished()).isTrue();
    }

    @Test
    void afterACancelEveryAttemptOfTheMeetingAndTheThreadsItStartsFindItCancelledAndNoOtherThreadDoes() throws InterruptedException {
        ConnectionInfo theirs = everyKindOfCandidate();
        DirectAttempts attempts = startTowards(theirs);
        CountDownLatch allEnded = new CountDownLatch(1);
        attempts.whenAllFinished(allEnded::countDown);
        assertThat(host.allDialling.await(20, TimeUnit.SECONDS)).isTrue();

        attempts.cancel();
        host.release.countDown();

        assertThat(allEnded.await(20, TimeUnit.SECONDS)).as("told once the last attempt ended").isTrue();
        assertThat(host.cancelledSeen).containsExactly(true, true, true);
        assertThat(host.cancelledSeenByRaceThreads).containsExactly(true, true, true);
        assertThat(DirectAttempts.cancelledOnThisThread()).as("not on a thread outside the attempts").isFalse();
    }

    @Test
    void attemptsOfAMeetingNobodyCancelledAreNotCancelled() throws InterruptedException {
        ConnectionInfo theirs = new ConnectionInfo(PEER, List.of(HOST_TCP), List.of(), List.of(Kind.HOST), List.of());
        DirectAttempts attempts = startTowards(theirs);
        host.release.countDown();
        attempts.awaitAll();

        assertThat(host.cancelledSeen).containsExactly(false);
        assertThat(host.cancelledSeenByRaceThreads).containsExactly(false);
    }

    /** A host, a reflexive and a mapped candidate: one dial of each route. */
    private static ConnectionInfo everyKindOfCandidate() {
        return new ConnectionInfo(PEER, List.of(HOST_TCP, REFLEXIVE_TCP), List.of(MAPPED_UDP),
                List.of(Kind.HOST, Kind.REFLEXIVE), List.of(Kind.MAPPED));
    }

    /** Our half (no punching sides on the stub), then every attempt towards {@code theirs}. */
    private DirectAttempts startTowards(ConnectionInfo theirs) {
        try (DirectAttempts ours = DirectAttempts.prepare(host, PEER, true, true, 0)) {
            return ours.start(theirs, "", 0);
        }
    }

    /** A node whose dials block until released; no UDP side, and a TCP side only where a test sets one. */
    private static final class StubHost implements Rendezvous.Host {
        final List<Thread> tasks = new CopyOnWriteArrayList<>();
        final Map<ConnectionInfo, Route> dials = new ConcurrentHashMap<>();
        /** What each dial saw of its meeting's cancellation once released. */
        final List<Boolean> cancelledSeen = new CopyOnWriteArrayList<>();
        final List<Boolean> cancelledSeenByRaceThreads = new CopyOnWriteArrayList<>();
        final CountDownLatch allDialling = new CountDownLatch(3);
        final CountDownLatch release = new CountDownLatch(1);
        Optional<TcpPunch.Tcp> tcp = Optional.empty();

        @Override
        public PeerHandle dialDirect(ConnectionInfo info, Route route, Duration timeout) throws CrustException {
            dials.put(info, route);
            allDialling.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cancelledSeen.add(DirectAttempts.cancelledOnThisThread());
            // A dial races TCP and crust-udt on threads of its own: they see it too.
            Thread race = Thread.ofVirtual().start(() -> cancelledSeenByRaceThreads.add(DirectAttempts.cancelledOnThisThread()));
            try {
                race.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new CrustException("no answer from " + info);
        }

        @Override
        public boolean startTask(String name, Runnable task) {
            tasks.add(Thread.ofVirtual().name(name).start(task));
            return true;
        }

        @Override
        public Optional<TcpPunch.Tcp> tcp() {
            return tcp;
        }

        @Override
        public Optional<HolePunch.Udp> udp() {
            return Optional.empty();
        }

        @Override
        public PeerId self() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PeerConnection> connections() {
            return List.of();
        }

        @Override
        public Optional<PeerConnection> connectionTo(PeerId id) {
            return Optional.empty();
        }

        @Override
        public ConnectionInfo localInfo() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean bans(PeerId id) {
            return false;
        }

        @Override
        public boolean directPathsDisabled() {
            return false;
        }

        @Override
        public Optional<PeerHandle> awaitPeer(PeerId id, Duration timeout) {
            return Optional.empty();
        }

        @Override
        public boolean relays(PeerConnection connection) {
            return false;
        }

        @Override
        public PeerHandle openRelay(PeerConnection relay, PeerId target, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void awaitHellos(Duration timeout) {
        }
    }

    /** TCP punching on the loopback interface; no punch runs in these tests. */
    private static final class LoopbackTcp implements TcpPunch.Tcp {
        @Override
        public InetAddress bindAddress() {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public boolean hasGlobalIpv6() {
            return false;
        }

        @Override
        public PeerHandle over(Socket socket, PeerId peer, InetSocketAddress remote) {
            throw new UnsupportedOperationException();
        }
    }
}
