package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A peer the application closed can be dialled again at once, even while the old connection is still ending. */
class ReconnectAfterCloseTest {
    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void connectRightAfterCloseDialsAgainAndReturnsAnOpenPeer() throws Exception {
        CrustNode alice = nodes.start();
        CrustNode bob = nodes.start();
        ConnectionInfo aliceInfo = new ConnectionInfo(alice.id(), List.of(Nodes.tcp(alice)), List.of());
        for (int round = 0; round < 10; round++) {
            Peer first = bob.connect(aliceInfo, Nodes.WAIT);
            first.close();
            Peer again = bob.connect(aliceInfo, Nodes.WAIT);
            assertThat(again.isOpen()).as("round %d", round).isTrue();
            assertThat(again).isNotSameAs(first);
            again.send(("round " + round).getBytes(StandardCharsets.UTF_8));
            CrustEvent.MessageReceived m = Nodes.await(alice, CrustEvent.MessageReceived.class);
            assertThat(new String(m.message(), StandardCharsets.UTF_8)).isEqualTo("round " + round);
            again.close();
        }
    }
}
