package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Priority;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.wire.WireMessage;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a retired connection ends when the peer closes it: quietly once both RETIREs have passed, the
 * expected end of duplicate settling; as a loss when our RETIRE had not gone out, since what we sent
 * before it may not have arrived. On started connections over in-memory pipes, with the peer's end
 * played by the test.
 */
class RetiringConnectionTest {
    private final PipeConnections pipes = new PipeConnections(System::nanoTime);

    @AfterEach
    void closeConnections() throws Exception {
        pipes.close();
    }

    @Test
    void aRetiredConnectionThatThePeerClosesBeforeOurWriterMarkedItsRetireSentEndsQuietly() throws Exception {
        PeerConnection c = pipes.open(Route.PUNCHED, Transport.TCP);
        c.start();
        CountDownLatch writerBack = new CountDownLatch(1);
        pipes.holdAfterNextSend(writerBack);
        // The writer, descheduled right after its RETIRE went out, runs again 20 ms after the reader
        // has read the end of the stream (the reader gives it up to 500 ms).
        pipes.releaseAfterEndOfStream(writerBack, Duration.ofMillis(20));
        c.retire();
        assertThat(pipes.receivedByThem(c)).isInstanceOf(WireMessage.Retire.class);

        CloseCause cause = theyRetireAndClose(c, writerBack);

        assertThat(cause.quiet()).as(cause.reason()).isTrue();
        assertThat(cause.reason()).isEqualTo("duplicate connection retired");
    }

    @Test
    void aRetiredConnectionThatThePeerClosesWhileItsRetireWaitsForTheTurnEndsQuietlyAfterDeliveringInOrder() throws Exception {
        PeerConnection c = pipes.open(Route.PUNCHED, Transport.TCP);
        pipes.holdTurns();
        c.start();
        c.retire();
        assertThat(pipes.receivedByThem(c)).isInstanceOf(WireMessage.Retire.class);

        pipes.sendByThem(c, new WireMessage.App(new byte[] {1}));
        pipes.sendByThem(c, new WireMessage.App(new byte[] {2}));
        pipes.sendByThem(c, new WireMessage.Retire());
        pipes.closeByThem(c);
        pipes.awaitClosed(c); // the reader read to the end with the RETIRE still queued
        pipes.giveTurns();
        CloseCause cause = pipes.awaitCloseCause(c);
        assertThat(cause.quiet()).as(cause.reason()).isTrue();
        assertThat(pipes.delivered()).extracting(m -> ((WireMessage.App) m).payload()[0])
                .containsExactly((byte) 1, (byte) 2);
        assertThat(c.retireReceived()).isTrue();
    }

    @Test
    void aRetiredConnectionWhoseRetireIsStillBlockedWhenThePeerClosesIsLost() throws Exception {
        PeerConnection c = pipes.open(Route.PUNCHED, Transport.TCP);
        c.start();
        CountDownLatch writerBack = new CountDownLatch(1);
        pipes.holdAfterNextSend(writerBack); // a send the peer never reads: it does not return
        c.retire();
        assertThat(pipes.receivedByThem(c)).isInstanceOf(WireMessage.Retire.class);

        CloseCause cause = theyRetireAndClose(c, writerBack);

        assertThat(cause.quiet()).as("what went out before our RETIRE may not have arrived").isFalse();
        assertThat(cause.reason()).isEqualTo("connection closed by the peer");
    }

    @Test
    void aConnectionThatThePeerRetiresAndClosesBeforeOurRetireWentOutIsLost() throws Exception {
        PeerConnection c = pipes.open(Route.PUNCHED, Transport.TCP);
        c.start();
        CountDownLatch writerBack = new CountDownLatch(1);
        pipes.holdAfterNextSend(writerBack);
        c.sendApp(new byte[] {7}, Priority.HIGH); // the writer is held after this one
        assertThat(pipes.receivedByThem(c)).isInstanceOf(WireMessage.App.class);

        CloseCause cause = theyRetireAndClose(c, writerBack);

        assertThat(cause.quiet()).isFalse();
        assertThat(cause.reason()).isEqualTo("connection closed by the peer");
    }

    /** The peer sends its RETIRE and closes; returns how {@code c} ended, then lets its held writer go. */
    private CloseCause theyRetireAndClose(PeerConnection c, CountDownLatch writerBack) throws Exception {
        pipes.sendByThem(c, new WireMessage.Retire());
        pipes.closeByThem(c);
        CloseCause cause = pipes.awaitCloseCause(c);
        writerBack.countDown();
        return cause;
    }
}
