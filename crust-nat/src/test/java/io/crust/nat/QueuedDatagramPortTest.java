package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The adapter crust-core uses to run crust-nat over crust-udt's socket. */
class QueuedDatagramPortTest {
    private static final InetSocketAddress LOCAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9000);
    private static final InetSocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9001);

    @Test
    void offeredDatagramsAreReceivedInOrderAndSendsGoToTheOwner() throws Exception {
        List<InetSocketAddress> sentTo = new ArrayList<>();
        QueuedDatagramPort port = new QueuedDatagramPort(LOCAL, (data, target) -> sentTo.add(target));
        port.offer(ByteBuffer.wrap(new byte[] {1}), PEER);
        port.offer(ByteBuffer.wrap(new byte[] {2}), PEER);
        port.send(ByteBuffer.wrap(new byte[] {3}), PEER);

        assertThat(port.receive(Duration.ofSeconds(1)).data().get(0)).isEqualTo((byte) 1);
        assertThat(port.receive(Duration.ofSeconds(1)).data().get(0)).isEqualTo((byte) 2);
        assertThatThrownBy(() -> port.receive(Duration.ofMillis(20))).isInstanceOf(SocketTimeoutException.class);
        assertThat(sentTo).containsExactly(PEER);
    }

    @Test
    void aFullQueueDropsTheOldestDatagram() throws Exception {
        QueuedDatagramPort port = new QueuedDatagramPort(LOCAL, (data, target) -> { }, 2);
        for (byte b = 1; b <= 3; b++) {
            port.offer(ByteBuffer.wrap(new byte[] {b}), PEER);
        }

        assertThat(port.receive(Duration.ZERO).data().get(0)).isEqualTo((byte) 2);
        assertThat(port.receive(Duration.ZERO).data().get(0)).isEqualTo((byte) 3);
    }

    @Test
    void closingWakesAReceiverThatIsWaiting() throws Exception {
        QueuedDatagramPort port = new QueuedDatagramPort(LOCAL, (data, target) -> { });
        java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                port.receive(Duration.ofMinutes(1));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        while (receiver.getState() != Thread.State.WAITING && receiver.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait(); // until the receiver parks in receive()
        }
        port.close();

        assertThat(outcome.get(10, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void closedPortRefusesReceiveAndOffer() throws Exception {
        QueuedDatagramPort port = new QueuedDatagramPort(LOCAL, (data, target) -> { });
        port.close();

        assertThatThrownBy(() -> port.receive(Duration.ofSeconds(10))).isInstanceOf(ClosedChannelException.class);
        assertThat(port.offer(ByteBuffer.wrap(new byte[] {1}), PEER)).isFalse();
    }
}
