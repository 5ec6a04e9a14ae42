package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Priority;
import io.crust.core.Route;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second connection between two peers that are already talking: the handle moves to the winner
 * mid-stream, and not one message is lost, duplicated or reordered on the way.
 */
class DuplicateSettlingTest {
    /** A bound in case the switch never comes; the test then fails on upgradedAt. */
    private static final int MAX_MESSAGES = 2_000_000;

    @TempDir
    Path dir;
    private Nodes nodes;

    @BeforeEach
    void setUp() {
        nodes = new Nodes(dir);
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    @Test
    void aStreamThatMovesToABetterConnectionArrivesWholeAndInOrder() throws Exception {
        // The stream is faster than the default per-peer rate limit, which is not what is tested here.
        CrustNode first = nodes.start(c -> c.messagesPerSecondPerPeer(10_000_000));
        CrustNode second = nodes.start(c -> c.messagesPerSecondPerPeer(10_000_000));
        // The connection dialled by the smaller id wins: let the larger dial first, the smaller later.
        CrustNode smaller = first.id().compareTo(second.id()) < 0 ? first : second;
        CrustNode larger = smaller == first ? second : first;
        Peer toSmaller = larger.connect(Nodes.tcp(smaller), Nodes.WAIT);
        Peer toLarger = Nodes.await(smaller, CrustEvent.PeerConnected.class).peer();

        // The sender streams until the receiver has seen the switch and a good run of messages after it,
        // so the switch always happens mid-stream, however fast or loaded the machine.
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; !stop.get() && i < MAX_MESSAGES; i++) {
                    toSmaller.send(ByteBuffer.allocate(512).putInt(0, i).array(), Priority.HIGH);
                    sent.set(i + 1);
                    if (i == 1000) {
                        started.countDown();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                started.countDown();
            }
        });
        List<Integer> wrong = new ArrayList<>();
        int[] upgradedAt = {-1};
        int[] received = {0};
        long deadline = System.nanoTime() + Nodes.WAIT.multipliedBy(2).toNanos();
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                while ((sender.isAlive() || received[0] < sent.get()) && System.nanoTime() < deadline) {
                    Optional<CrustEvent> e = smaller.events().poll(Duration.ofMillis(200));
                    if (e.isPresent() && e.get() instanceof CrustEvent.ConnectionUpgraded) {
                        upgradedAt[0] = received[0];
                    } else if (e.isPresent() && e.get() instanceof CrustEvent.MessageReceived m) {
                        int got = ByteBuffer.wrap(m.message()).getInt();
                        if (got != received[0] && wrong.size() < 10) {
                            wrong.add(got);
                        }
                        received[0] = got + 1; // after a gap or a reordering, follow the stream
                        if (upgradedAt[0] >= 0 && received[0] > upgradedAt[0] + 5000) {
                            stop.set(true);
                        }
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        started.await();
        smaller.connect(Nodes.tcp(larger), Nodes.WAIT); // the duplicate comes up mid-stream
        sender.join(Nodes.WAIT.multipliedBy(2));
        receiver.join(Nodes.WAIT);

        assertThat(failure.get()).isNull();
        assertThat(receiver.isAlive()).as("receiver still waiting: messages lost").isFalse();
        assertThat(received[0]).isEqualTo(sent.get());
        assertThat(wrong).as("messages that arrived out of order or after a gap").isEmpty();
        // The switch really happened while the stream was running.
        assertThat(upgradedAt[0]).isBetween(1, sent.get() - 5000);
        // The handle moved to the connection the smaller id dialled, on both ends.
        assertThat(toSmaller.route()).isEqualTo(Route.BOOTSTRAP_IN);
        assertThat(toLarger.route()).isEqualTo(Route.DIRECT);
        assertThat(smaller.peers()).hasSize(1);
        assertThat(larger.peers()).hasSize(1);
    }
}
