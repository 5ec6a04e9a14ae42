package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.CrustTimeoutException;
import io.crust.core.MessageDelivery;
import io.crust.core.Peer;
import io.crust.core.peer.PeerHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PerPeerDeliveryTest {
    private static final int INBOX = 8;
    private static final int FLOOD_MESSAGES = 400;
    private static final int FLOOD_MESSAGE_BYTES = 64 * 1024;

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void aSlowConsumerOfOnePeerDoesNotDelayAnother() throws Exception {
        CrustNode a = nodes.start(c -> c.messageDelivery(MessageDelivery.PER_PEER).peerInboxMessages(INBOX));
        CrustNode fast = nodes.start(c -> c.sendQueueMessages(4));
        CrustNode slow = nodes.start(c -> c.sendQueueMessages(4));
        Peer slowToA = slow.connect(Nodes.tcp(a), Nodes.WAIT);
        Peer fastToA = fast.connect(Nodes.tcp(a), Nodes.WAIT);
        PeerHandle slowAtA = (PeerHandle) awaitPeer(a, slow);
        Peer fastAtA = awaitPeer(a, fast);

        // The slow peer sends far more than its inbox, its send queue and both sockets' buffers hold.
        AtomicInteger sent = new AtomicInteger();
        Thread flooder = Thread.ofVirtual().name("flooder").start(() -> {
            try {
                for (int i = 0; i < FLOOD_MESSAGES; i++) {
                    slowToA.send(numbered(i));
                    sent.incrementAndGet();
                }
            } catch (CrustException e) {
                // the test closes the node at the end
            }
        });
        // Nobody receives from the slow peer: its inbox fills and its connection is no longer read.
        awaitUntil(() -> slowAtA.inboxSize() == INBOX, "the slow peer's inbox is full");

        long start = System.nanoTime();
        fastToA.send("hello".getBytes(StandardCharsets.UTF_8));
        byte[] fromFast = fastAtA.receive(Duration.ofSeconds(10));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(new String(fromFast, StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(sent.get()).as("the slow peer's sender is held back").isLessThan(FLOOD_MESSAGES);

        // Nothing of the slow peer was lost: once received, everything arrives, in order.
        for (int i = 0; i < FLOOD_MESSAGES; i++) {
            byte[] m = slowAtA.receive(Nodes.WAIT);
            assertThat(m).hasSize(FLOOD_MESSAGE_BYTES);
            assertThat(ByteBuffer.wrap(m).getInt()).isEqualTo(i);
        }
        flooder.join(Nodes.WAIT);
        assertThat(sent.get()).isEqualTo(FLOOD_MESSAGES);
    }

    @Test
    void perPeerDeliveryEmitsNoMessageEvent() throws Exception {
        CrustNode a = nodes.start(c -> c.messageDelivery(MessageDelivery.PER_PEER));
        CrustNode b = nodes.start();
        Peer bToA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        Peer bAtA = awaitPeer(a, b);

        bToA.send(new byte[] {1});
        bToA.send(new byte[] {2});
        assertThat(bAtA.receive(Nodes.WAIT)).containsExactly(1);
        assertThat(bAtA.receive(Nodes.WAIT)).containsExactly(2);
        // Each message went to the inbox only: the event queue has no MessageReceived.
        assertThat(a.events().drain()).noneMatch(e -> e instanceof CrustEvent.MessageReceived);
    }

    @Test
    void messageReceivedCarriesThePeerToReplyTo() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        Peer bToA = b.connect(Nodes.tcp(a), Nodes.WAIT);

        bToA.send("ping".getBytes(StandardCharsets.UTF_8));
        CrustEvent.MessageReceived ping = Nodes.await(a, CrustEvent.MessageReceived.class);
        assertThat(ping.from()).isEqualTo(b.id());
        ping.peer().send("pong".getBytes(StandardCharsets.UTF_8));

        CrustEvent.MessageReceived pong = Nodes.await(b, CrustEvent.MessageReceived.class);
        assertThat(pong.peer()).isSameAs(bToA);
        assertThat(new String(pong.message(), StandardCharsets.UTF_8)).isEqualTo("pong");
    }

    @Test
    void receiveIsRefusedWhenMessagesGoToTheEvents() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        Peer bToA = b.connect(Nodes.tcp(a), Nodes.WAIT);

        assertThatThrownBy(() -> bToA.receive(Duration.ofMillis(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MessageDelivery.PER_PEER");
    }

    @Test
    void receiveThatRunsOutOfTimeThrowsTheTimeoutException() throws Exception {
        CrustNode a = nodes.start(c -> c.messageDelivery(MessageDelivery.PER_PEER));
        CrustNode b = nodes.start();
        b.connect(Nodes.tcp(a), Nodes.WAIT);
        Peer bAtA = awaitPeer(a, b);

        assertThatThrownBy(() -> bAtA.receive(Duration.ofMillis(50))).isInstanceOf(CrustTimeoutException.class);
    }

    @Test
    void receiveHandsOverWhatArrivedBeforeThePeerWasLostThenSaysItIsGone() throws Exception {
        CrustNode a = nodes.start(c -> c.messageDelivery(MessageDelivery.PER_PEER));
        CrustNode b = nodes.start();
        Peer bToA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        PeerHandle bAtA = (PeerHandle) awaitPeer(a, b);
        for (int i = 0; i < 3; i++) {
            bToA.send(numbered(i));
        }
        awaitUntil(() -> bAtA.inboxSize() == 3, "three messages are in the inbox");

        b.close();
        Nodes.await(a, CrustEvent.PeerLost.class);

        for (int i = 0; i < 3; i++) {
            assertThat(ByteBuffer.wrap(bAtA.receive(Nodes.WAIT)).getInt()).isEqualTo(i);
        }
        assertThatThrownBy(() -> bAtA.receive(Nodes.WAIT))
                .isInstanceOf(CrustException.class)
                .isNotInstanceOf(CrustTimeoutException.class)
                .hasMessageContaining("is gone");
    }

    private static byte[] numbered(int i) {
        return ByteBuffer.allocate(FLOOD_MESSAGE_BYTES).putInt(i).array();
    }

    /** The connected peer {@code remote} as node {@code at} sees it, once {@code at} has registered it. */
    private static Peer awaitPeer(CrustNode at, CrustNode remote) throws InterruptedException {
        awaitUntil(() -> at.peer(remote.id()).isPresent(), at + " knows " + remote);
        return at.peer(remote.id()).orElseThrow();
    }

    private static void awaitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Nodes.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + Nodes.WAIT + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
