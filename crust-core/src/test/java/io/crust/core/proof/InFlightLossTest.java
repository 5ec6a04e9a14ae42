package io.crust.core.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.service.Nodes;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The path the soak rarely hits at its gentle rate: a receiver goes away while a sender has many large
 * messages queued and on the wire. Each message must be delivered, or its sender must have been told:
 * {@code send} threw, or a {@code PeerLost} for that receiver arrived after the message was handed over.
 */
class InFlightLossTest {
    @RegisterExtension
    final ProofNodes nodes = new ProofNodes();

    @Test
    void messagesInFlightToANodeThatClosesAreDeliveredOrReportedToTheSender() throws Exception {
        run(true);
    }

    @Test
    void messagesInFlightToANodeThatDropsTheSenderAreDeliveredOrReportedToTheSender() throws Exception {
        run(false);
    }

    private void run(boolean receiverLeaves) throws Exception {
        CrustNode sender = nodes.start();
        CrustNode receiver = nodes.start();
        Peer toReceiver = sender.connect(ProofNodes.tcp(receiver), ProofNodes.WAIT);
        Ledger ledger = new Ledger();
        long senderLife = 1;
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch enoughReceived = new CountDownLatch(200);
        Thread senderEvents = drain(sender, done, e -> {
            if (e instanceof CrustEvent.PeerLost l) {
                ledger.peerLost(senderLife, l.peer());
            }
        });
        Thread receiverEvents = drain(receiver, done, e -> {
            if (e instanceof CrustEvent.MessageReceived m) {
                ledger.received(m.message());
                enoughReceived.countDown();
            }
        });
        Thread sending = Thread.ofVirtual().name("in-flight-sender").start(() -> {
            while (true) {
                byte[] body = ledger.beforeSend(senderLife, receiver.id(), 32 * 1024);
                try {
                    toReceiver.send(body);
                } catch (CrustException e) {
                    ledger.sendFailed(body);
                    return;
                }
            }
        });

        assertThat(enoughReceived.await(ProofNodes.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        if (receiverLeaves) {
            receiver.close();
        } else {
            receiver.drop(sender.id());
        }
        sending.join(ProofNodes.WAIT);
        assertThat(sending.isAlive()).as("the sender learned the receiver was gone").isFalse();
        boolean settled = ledger.awaitSettled(ProofNodes.WAIT.toNanos());
        done.set(true);
        senderEvents.join();
        receiverEvents.join();

        Ledger.Tally tally = ledger.tally();
        Figures.print("in-flight", "receiver %s: %s", receiverLeaves ? "closed" : "dropped the sender", tally);
        assertThat(settled).as("%s", tally).isTrue();
        assertThat(tally.unaccounted()).as("%s", tally).isZero();
        assertThat(tally.duplicates() + tally.corrupted()).isZero();
        assertThat(tally.failedAtSend() + tally.reportedLost()).as("the sender was told about the loss").isPositive();
    }

    private static Thread drain(CrustNode node, AtomicBoolean done, java.util.function.Consumer<CrustEvent> handler) {
        return Thread.ofVirtual().start(() -> {
            try {
                while (!done.get()) {
                    Optional<CrustEvent> e = Nodes.poll(node, Duration.ofMillis(100));
                    e.ifPresent(handler);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
