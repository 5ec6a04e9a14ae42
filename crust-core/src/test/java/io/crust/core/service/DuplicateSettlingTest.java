package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Priority;
import io.crust.core.Route;
import io.crust.core.Transport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A second connection between two peers that are already talking: the handle moves to the winner
 * mid-stream, and not one message is lost, duplicated or reordered on the way.
 */
class DuplicateSettlingTest {
    /** A bound in case the switch never comes; the test then fails on upgradedAt. */
    private static final int MAX_MESSAGES = 2_000_000;

    @RegisterExtension
    final Nodes nodes = new Nodes();

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

        Stream stream = Stream.start(toSmaller, smaller, 512, 5000);
        smaller.connect(Nodes.tcp(larger), Nodes.WAIT); // the duplicate comes up mid-stream
        stream.finish();
        stream.assertWholeAndInOrderAcrossTheSwitch();
        // The handle moved to the connection the smaller id dialled, on both ends.
        assertThat(toSmaller.route()).isEqualTo(Route.BOOTSTRAP_IN);
        assertThat(toLarger.route()).isEqualTo(Route.DIRECT);
        assertThat(smaller.peers()).hasSize(1);
        assertThat(larger.peers()).hasSize(1);
    }

    /**
     * The case the NAT lab showed: a relayed peer gets a direct crust-udt path while file-sized messages
     * stream through the relay. The relayed connection drains through the relay while the new one waits.
     */
    @Test
    void aStreamThroughARelayThatMovesToCrustUdtArrivesWholeAndInOrder() throws Exception {
        // The relay's per-circuit byte limit is not what is tested here: loopback streams past 64 MiB in seconds.
        CrustNode relay = nodes.start(c -> c.relay(true).relayMaxBytesPerCircuit(1L << 40));
        CrustNode a = nodes.start(c -> c.contacts(List.of(Nodes.tcp(relay))).udp(true)
                .messagesPerSecondPerPeer(10_000_000).disableDirectPathsForTesting());
        CrustNode b = nodes.start(c -> c.contacts(List.of(Nodes.tcp(relay))).udp(true)
                .messagesPerSecondPerPeer(10_000_000).disableDirectPathsForTesting());
        Nodes.await(a, CrustEvent.BootstrapFinished.class);
        Nodes.await(b, CrustEvent.BootstrapFinished.class);
        Peer toB = a.connect(b.id(), Nodes.WAIT);
        assertThat(toB.route()).isEqualTo(Route.RELAYED);

        // 64 KiB messages, as the demo's file chunks.
        Stream stream = Stream.start(toB, b, 64 * 1024, 200);
        a.connect(b.udpAddress().orElseThrow(), Nodes.WAIT); // the direct path comes up mid-stream
        stream.finish();

        stream.assertWholeAndInOrderAcrossTheSwitch();
        assertThat(toB.transport()).isEqualTo(Transport.UDT);
        assertThat(toB.route()).isNotEqualTo(Route.RELAYED);
    }

    /**
     * A sender streaming numbered messages of one size, and a receiver checking their order, until the
     * receiver has seen the switch and {@code afterSwitch} messages after it: so the switch always happens
     * mid-stream, however fast or loaded the machine.
     */
    private static final class Stream {
        private final CountDownLatch started = new CountDownLatch(1);
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final List<Integer> wrong = new ArrayList<>();
        private final int afterSwitch;
        private int upgradedAt = -1;
        private int received;
        private Thread sender;
        private Thread receiver;

        private Stream(int afterSwitch) {
            this.afterSwitch = afterSwitch;
        }

        /** Starts streaming from {@code to} to {@code receiverNode}; returns once a run has gone through. */
        static Stream start(Peer to, CrustNode receiverNode, int size, int afterSwitch) throws InterruptedException {
            Stream s = new Stream(afterSwitch);
            s.sender = Thread.ofVirtual().start(() -> s.send(to, size));
            long deadline = System.nanoTime() + Nodes.WAIT.multipliedBy(2).toNanos();
            s.receiver = Thread.ofVirtual().start(() -> s.receive(receiverNode, deadline));
            s.started.await();
            return s;
        }

        private void send(Peer to, int size) {
            try {
                for (int i = 0; !stop.get() && i < MAX_MESSAGES; i++) {
                    to.send(ByteBuffer.allocate(size).putInt(0, i).array(), Priority.HIGH);
                    sent.set(i + 1);
                    if (i == 2 * afterSwitch) {
                        started.countDown();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                started.countDown();
            }
        }

        private void receive(CrustNode node, long deadline) {
            try {
                while ((sender.isAlive() || received < sent.get()) && System.nanoTime() < deadline) {
                    Optional<CrustEvent> e = Nodes.poll(node, Duration.ofMillis(200));
                    if (e.isPresent() && e.get() instanceof CrustEvent.ConnectionUpgraded) {
                        upgradedAt = received;
                    } else if (e.isPresent() && e.get() instanceof CrustEvent.MessageReceived m) {
                        int got = ByteBuffer.wrap(m.message()).getInt();
                        if (got != received && wrong.size() < 10) {
                            wrong.add(got);
                        }
                        received = got + 1; // after a gap or a reordering, follow the stream
                        if (upgradedAt >= 0 && received > upgradedAt + afterSwitch) {
                            stop.set(true);
                        }
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        void finish() throws InterruptedException {
            sender.join(Nodes.WAIT.multipliedBy(2));
            receiver.join(Nodes.WAIT);
        }

        void assertWholeAndInOrderAcrossTheSwitch() {
            assertThat(failure.get()).isNull();
            assertThat(receiver.isAlive()).as("receiver still waiting: messages lost").isFalse();
            assertThat(received).isEqualTo(sent.get());
            assertThat(wrong).as("messages that arrived out of order or after a gap").isEmpty();
            // The switch really happened while the stream was running.
            assertThat(upgradedAt).isBetween(1, sent.get() - afterSwitch);
        }
    }
}
