package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.wire.WireMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ACKs a connection sends and accepts for resumption (docs/connection-group.md). */
class AcknowledgementTest {
    private final PipeConnections pipes = new PipeConnections(System::nanoTime);

    @AfterEach
    void closeAll() throws Exception {
        pipes.close();
    }

    @Test
    void aConnectionAcknowledgesTheMessagesItDeliveredEverySixtyFourMessages() throws Exception {
        PeerConnection c = pipes.open(Route.DIRECT, Transport.TCP);
        c.start();
        for (int i = 0; i < 64; i++) {
            pipes.sendByThem(c, new WireMessage.App(new byte[] {(byte) i}));
        }
        assertThat(pipes.receivedByThem(c)).isEqualTo(new WireMessage.Ack(64));
        assertThat(c.appDelivered()).isEqualTo(64);
    }

    @Test
    void anAcknowledgementOfMoreMessagesThanWereSentEndsTheConnectionAsAProtocolViolation() throws Exception {
        PeerConnection c = pipes.open(Route.DIRECT, Transport.TCP);
        c.start();
        pipes.sendByThem(c, new WireMessage.Ack(5));
        CloseCause cause = pipes.awaitCloseCause(c);
        assertThat(cause.misbehaviour()).isEqualTo(Misbehaviour.Kind.PROTOCOL_VIOLATION);
        assertThat(cause.reason()).contains("acknowledged 5 messages, more than were sent");
    }
}
