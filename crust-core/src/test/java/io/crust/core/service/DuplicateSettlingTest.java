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
import java.util.concurrent.CountDownLatch;
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
    private static final int MESSAGES = 200_000;

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

        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    toSmaller.send(ByteBuffer.allocate(512).putInt(0, i).array(), Priority.HIGH);
                    if (i == 1000) {
                        started.countDown();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
                started.countDown();
            }
        });
        List<Integer> wrong = new ArrayList<>();
        int[] upgradedAt = {-1};
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                for (int expected = 0; expected < MESSAGES; ) {
                    CrustEvent e = smaller.events().take();
                    if (e instanceof CrustEvent.ConnectionUpgraded) {
                        upgradedAt[0] = expected;
                    } else if (e instanceof CrustEvent.MessageReceived m) {
                        int got = ByteBuffer.wrap(m.message()).getInt();
                        if (got != expected && wrong.size() < 10) {
                            wrong.add(got);
                        }
                        expected = got + 1; // after a gap or a reordering, follow the stream
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        started.await();
        smaller.connect(Nodes.tcp(larger), Nodes.WAIT); // the duplicate comes up mid-stream
        sender.join(Nodes.WAIT);
        receiver.join(Nodes.WAIT);

        assertThat(failure.get()).isNull();
        assertThat(receiver.isAlive()).as("receiver still waiting: messages lost").isFalse();
        assertThat(wrong).as("messages that arrived out of order or after a gap").isEmpty();
        // The switch really happened while the stream was running.
        assertThat(upgradedAt[0]).isBetween(1, MESSAGES - 1);
        // The handle moved to the connection the smaller id dialled, on both ends.
        assertThat(toSmaller.route()).isEqualTo(Route.BOOTSTRAP_IN);
        assertThat(toLarger.route()).isEqualTo(Route.DIRECT);
        assertThat(smaller.peers()).hasSize(1);
        assertThat(larger.peers()).hasSize(1);
    }
}
