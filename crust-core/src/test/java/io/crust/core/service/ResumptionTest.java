package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.CrustEvent.MessageReceived;
import io.crust.core.CrustEvent.PeerConnected;
import io.crust.core.CrustEvent.PeerLost;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resumption (docs/connection-group.md): a connection that breaks is dialled again by the side that
 * dialled it, and both continue on the same {@link Peer} with no message lost, repeated or reordered;
 * when the other side cannot continue, or the window ends, the peer is lost as before.
 */
class ResumptionTest {
    private static final int MESSAGES = 3_000;
    private static final int MESSAGE_BYTES = 1_000;

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void aConnectionResetMidTransferIsContinuedOnTheSamePeerWithEveryMessageDeliveredOnceAndInOrderBothWays() throws Exception {
        // Small event queues: readers wait for the application, so messages are still in flight and
        // queued when the connection breaks, as in a real transfer.
        CrustNode a = nodes.start(c -> c.eventQueueCapacity(64));
        CrustNode b = nodes.start(c -> c.eventQueueCapacity(64));
        try (SilentProxy proxy = new SilentProxy(Nodes.tcp(a));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Peer toA = b.connect(proxy.address(), Nodes.WAIT);
            Nodes.await(b, PeerConnected.class);
            Peer toB = Nodes.await(a, PeerConnected.class).peer();

            Future<Received> atA = threads.submit(receiveAll(a, toB, () -> proxy.sever()));
            Future<Received> atB = threads.submit(receiveAll(b, toA, () -> { }));
            Future<?> aSends = threads.submit(sendAll(toB));
            Future<?> bSends = threads.submit(sendAll(toA));
            aSends.get();
            bSends.get();

            for (Received r : List.of(atA.get(), atB.get())) {
                assertThat(r.others).as("peer events during the transfer").isEmpty();
                assertThat(r.indexes).as("message numbers in arrival order").hasSize(MESSAGES);
                for (int i = 0; i < MESSAGES; i++) {
                    assertThat(r.indexes.get(i)).as("message %d", i).isEqualTo(i);
                }
            }
            assertThat(proxy.accepted()).as("connections through the proxy: the first and its continuation").isEqualTo(2);
            assertThat(toA.isOpen()).isTrue();
            assertThat(toB.isOpen()).isTrue();
        }
    }

    @Test
    void aPeerThatCannotContinueIsLostOnBothSidesAndTheNewConnectionStartsANewPeer() throws Exception {
        CrustNode a = nodes.start(c -> c.resumeWindow(Duration.ZERO));
        CrustNode b = nodes.start();
        try (SilentProxy proxy = new SilentProxy(Nodes.tcp(a))) {
            Peer toA = b.connect(proxy.address(), Nodes.WAIT);
            Peer toB = Nodes.await(a, PeerConnected.class).peer();
            toB.send(new byte[] {1});
            Nodes.await(b, MessageReceived.class); // b has heard from a: a registered the connection
            proxy.sever();

            assertThat(Nodes.await(a, PeerLost.class).reason()).isEqualTo(PeerLost.Reason.CONNECTION_LOST);
            assertThat(Nodes.await(a, PeerConnected.class).peer()).isNotSameAs(toB);
            PeerLost lostAtB = Nodes.await(b, PeerLost.class);
            assertThat(lostAtB.detail()).contains("could not continue");
            assertThat(Nodes.await(b, PeerConnected.class).peer()).isNotSameAs(toA);
            assertThat(toA.isOpen()).isFalse();
        }
    }

    @Test
    void aBrokenConnectionThatCannotBeDialledAgainEndsThePeerWhenTheWindowEnds() throws Exception {
        Duration window = Duration.ofSeconds(2);
        CrustNode a = nodes.start(c -> c.resumeWindow(window));
        CrustNode b = nodes.start(c -> c.resumeWindow(window));
        SilentProxy proxy = new SilentProxy(Nodes.tcp(a));
        Peer toA = b.connect(proxy.address(), Nodes.WAIT);
        Nodes.await(a, PeerConnected.class).peer().send(new byte[] {1});
        Nodes.await(b, MessageReceived.class); // b has heard from a: a registered the connection
        // a vanishes without its goodbye reaching b (a dead process): b sees its connection break and
        // cannot reach a again.
        proxy.blackHole();
        a.close();
        long broke = System.nanoTime();
        proxy.close();

        PeerLost lost = Nodes.await(b, PeerLost.class);
        assertThat(Duration.ofNanos(System.nanoTime() - broke)).as("kept open for the window").isGreaterThanOrEqualTo(window);
        assertThat(lost.reason()).isEqualTo(PeerLost.Reason.CONNECTION_LOST);
        assertThat(lost.detail()).contains("not continued within 2000 ms");
        assertThat(toA.isOpen()).isFalse();
    }

    @Test
    void aFreshConnectionWhileAPeerWaitsIsClosedWhenTheWaitEndsAndNoneOfItsMessagesReachesEitherPeer() throws Exception {
        Duration window = Duration.ofSeconds(2);
        CrustNode a = nodes.start(c -> c.resumeWindow(window));
        CrustNode b = nodes.start(c -> c.resumeWindow(Duration.ZERO)); // b gives the peer up and dials afresh
        try (SilentProxy proxy = new SilentProxy(Nodes.tcp(a))) {
            Peer oldA = b.connect(proxy.address(), Nodes.WAIT);
            Peer oldB = Nodes.await(a, PeerConnected.class).peer();
            oldA.send(new byte[] {1});
            Nodes.await(a, MessageReceived.class); // a heard from b: the connection is one to continue
            // a must see its connection end before b's next one arrives: b would be a second connection
            // to a live peer otherwise (the settling rules: the old Peer lost, a new one at once). The
            // proxy ends it towards a first, and b learns of it from a's own close.
            proxy.closeTowardsTarget();
            Nodes.await(b, PeerLost.class);

            // No offer: b did not keep the old connection. Whether its messages belong to the old
            // session or a new one, a cannot tell: it holds them, and drops them with the connection
            // when its wait ends; b is told its connection was lost.
            Peer parked = b.connect(Nodes.tcp(a), Nodes.WAIT);
            parked.send("held".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            List<CrustEvent> seenAtA = new ArrayList<>();
            PeerLost oldLost = Nodes.await(a, PeerLost.class, l -> true, seenAtA::add);
            assertThat(oldLost.detail()).contains("not continued within 2000 ms");
            assertThat(Nodes.await(b, PeerLost.class).reason()).isEqualTo(PeerLost.Reason.GOODBYE);
            assertThat(parked.isOpen()).isFalse();

            Peer again = b.connect(Nodes.tcp(a), Nodes.WAIT);
            again.send("again".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            MessageReceived after = Nodes.await(a, MessageReceived.class, m -> true, seenAtA::add);
            assertThat(new String(after.message(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("again");
            assertThat(after.peer()).isNotSameAs(oldB);
            assertThat(seenAtA).noneMatch(e -> e instanceof MessageReceived);
        }
    }

    private record Received(List<Integer> indexes, List<CrustEvent> others) {
    }

    /** Takes events until every message arrived; after a quarter of them, runs {@code midway} once. */
    private static Callable<Received> receiveAll(CrustNode node, Peer from, ThrowingRunnable midway) {
        return () -> {
            List<Integer> indexes = new ArrayList<>(MESSAGES);
            List<CrustEvent> others = new ArrayList<>();
            long deadline = System.nanoTime() + Nodes.WAIT.toNanos();
            while (indexes.size() < MESSAGES && System.nanoTime() < deadline) {
                Optional<CrustEvent> event = Nodes.poll(node, Duration.ofSeconds(1));
                if (event.isEmpty()) {
                    continue;
                }
                if (event.get() instanceof MessageReceived m && m.peer() == from) {
                    indexes.add(ByteBuffer.wrap(m.message()).getInt());
                    if (indexes.size() == MESSAGES / 4) {
                        midway.run();
                    }
                } else if (event.get() instanceof PeerLost || event.get() instanceof PeerConnected
                        || event.get() instanceof CrustEvent.ConnectionUpgraded) {
                    others.add(event.get());
                }
            }
            return new Received(indexes, others);
        };
    }

    private static Callable<Void> sendAll(Peer to) {
        return () -> {
            for (int i = 0; i < MESSAGES; i++) {
                to.send(ByteBuffer.allocate(MESSAGE_BYTES).putInt(i).array());
            }
            return null;
        };
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
