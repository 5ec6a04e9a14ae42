package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Priority;
import io.crust.core.Transport;
import io.crust.testkit.LoopbackNat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A peer connected over crust-udt through a NAT that forgets its mapping while messages flow: the
 * connection follows the peer to its new port (crust-udt's path migration), so both applications keep
 * their {@link Peer}, nobody is reported lost, and every message arrives once, in order.
 */
class PathMigrationTest {
    private static final int MESSAGES = 400;

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void aPeerOverCrustUdtWhoseNatRebindsKeepsItsPeerAndLosesNoMessage() throws Exception {
        CrustNode b = nodes.start(c -> c.tcp(false).udp(true));
        CrustNode a = nodes.start(c -> c.udp(true));
        try (LoopbackNat nat = new LoopbackNat(b.udpAddress().orElseThrow())) {
            Peer toB = a.connect(nat.inside(), Nodes.WAIT);
            assertThat(toB.transport()).isEqualTo(Transport.UDT);
            Peer toA = Nodes.await(b, CrustEvent.PeerConnected.class).peer();

            for (int i = 0; i < MESSAGES; i++) {
                toB.send(("m-" + i).getBytes(StandardCharsets.UTF_8), Priority.HIGH);
                if (i == MESSAGES / 2) {
                    nat.rebind();
                }
            }
            List<CrustEvent> otherEventsAtB = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                CrustEvent.MessageReceived m = Nodes.await(b, CrustEvent.MessageReceived.class, e -> true,
                        otherEventsAtB::add);
                assertThat(new String(m.message(), StandardCharsets.UTF_8)).isEqualTo("m-" + i);
            }
            toA.send("after the rebinding".getBytes(StandardCharsets.UTF_8), Priority.HIGH);
            List<CrustEvent> otherEventsAtA = new ArrayList<>();
            CrustEvent.MessageReceived reply = Nodes.await(a, CrustEvent.MessageReceived.class, e -> true,
                    otherEventsAtA::add);

            assertThat(new String(reply.message(), StandardCharsets.UTF_8)).isEqualTo("after the rebinding");
            assertThat(otherEventsAtB).noneMatch(e -> e instanceof CrustEvent.PeerLost);
            assertThat(otherEventsAtA).noneMatch(e -> e instanceof CrustEvent.PeerLost);
            assertThat(toA.isOpen()).isTrue();
            assertThat(toB.isOpen()).isTrue();
            assertThat(b.peer(a.id())).containsSame(toA);
            assertThat(a.peer(b.id())).containsSame(toB);
        }
    }
}
