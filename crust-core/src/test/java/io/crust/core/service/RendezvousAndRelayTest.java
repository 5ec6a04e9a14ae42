package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Route;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RendezvousAndRelayTest {
    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void connectByIdFindsThePeerThroughAMutuallyConnectedNode() throws Exception {
        CrustNode hub = nodes.start();
        CrustNode a = nodes.start(c -> c.contacts(List.of(Nodes.tcp(hub))));
        CrustNode b = nodes.start(c -> c.contacts(List.of(Nodes.tcp(hub))));
        Nodes.await(a, CrustEvent.BootstrapFinished.class);
        Nodes.await(b, CrustEvent.BootstrapFinished.class);

        Peer toB = a.connect(b.id(), Nodes.WAIT);
        assertThat(toB.id()).isEqualTo(b.id());
        assertThat(toB.route()).isNotEqualTo(Route.RELAYED);
        toB.send("hello b".getBytes(StandardCharsets.UTF_8));

        CrustEvent.MessageReceived m = Nodes.await(b, CrustEvent.MessageReceived.class, e -> e.from().equals(a.id()));
        assertThat(new String(m.message(), StandardCharsets.UTF_8)).isEqualTo("hello b");
    }

    @Test
    void connectByIdWorksOverCrustUdtAlone() throws Exception {
        CrustNode hub = nodes.start(c -> c.tcp(false).udp(true));
        CrustNode a = nodes.start(c -> c.tcp(false).udp(true).contacts(List.of(hub.udpAddress().orElseThrow())));
        CrustNode b = nodes.start(c -> c.tcp(false).udp(true).contacts(List.of(hub.udpAddress().orElseThrow())));
        Nodes.await(a, CrustEvent.BootstrapFinished.class);
        Nodes.await(b, CrustEvent.BootstrapFinished.class);

        Peer toB = a.connect(b.id(), Nodes.WAIT);
        assertThat(toB.transport()).isEqualTo(io.crust.core.Transport.UDT);
        toB.send("over udp".getBytes(StandardCharsets.UTF_8));
        Nodes.await(b, CrustEvent.MessageReceived.class, e -> e.from().equals(a.id()));
    }

    @Test
    void withoutADirectPathTrafficGoesThroughARelayEncryptedEndToEnd() throws Exception {
        List<byte[]> forwarded = new CopyOnWriteArrayList<>();
        CrustNode relay = nodes.start(c -> c.relay(true).relayTapForTesting(forwarded::add));
        CrustNode a = nodes.start(c -> c.contacts(List.of(Nodes.tcp(relay))).disableDirectPathsForTesting());
        CrustNode b = nodes.start(c -> c.contacts(List.of(Nodes.tcp(relay))).disableDirectPathsForTesting());
        Nodes.await(a, CrustEvent.BootstrapFinished.class);
        Nodes.await(b, CrustEvent.BootstrapFinished.class);

        Peer toB = a.connect(b.id(), Nodes.WAIT);
        assertThat(toB.route()).isEqualTo(Route.RELAYED);
        CrustEvent.PeerConnected atB = Nodes.await(b, CrustEvent.PeerConnected.class, e -> e.peer().id().equals(a.id()));
        assertThat(atB.route()).isEqualTo(Route.RELAYED);

        for (int i = 0; i < 100; i++) {
            toB.send(("relayed " + i).getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 100; i++) {
            CrustEvent.MessageReceived m = Nodes.await(b, CrustEvent.MessageReceived.class, e -> e.from().equals(a.id()));
            assertThat(new String(m.message(), StandardCharsets.UTF_8)).isEqualTo("relayed " + i);
        }
        atB.peer().send(new byte[200_000]);
        assertThat(Nodes.await(a, CrustEvent.MessageReceived.class, e -> e.from().equals(b.id())).message()).hasSize(200_000);

        // What the relay forwarded: all of it (more than the 200 000-byte message), none of it readable.
        assertThat(forwarded.stream().mapToLong(f -> f.length).sum()).isGreaterThan(200_000);
        byte[] zeros = new byte[32];
        for (byte[] frame : forwarded) {
            assertThat(indexOf(frame, "relayed ".getBytes(StandardCharsets.UTF_8))).as("plaintext in a forwarded frame").isNegative();
            assertThat(indexOf(frame, zeros)).as("a run of the zero message in a forwarded frame").isNegative();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aRelayThatDoesNotAllowRelayingIsNotUsed() throws Exception {
        CrustNode hub = nodes.start();
        CrustNode a = nodes.start(c -> c.contacts(List.of(Nodes.tcp(hub))).disableDirectPathsForTesting());
        CrustNode b = nodes.start(c -> c.contacts(List.of(Nodes.tcp(hub))).disableDirectPathsForTesting());
        Nodes.await(a, CrustEvent.BootstrapFinished.class);
        Nodes.await(b, CrustEvent.BootstrapFinished.class);

        assertThatThrownBy(() -> a.connect(b.id(), Duration.ofSeconds(4)))
                .isInstanceOf(CrustException.class)
                .hasMessageContaining("no connected peer relays");
    }

    @Test
    void connectByIdFailsClearlyWhenNobodyKnowsThePeer() throws Exception {
        CrustNode hub = nodes.start();
        CrustNode a = nodes.start(c -> c.contacts(List.of(Nodes.tcp(hub))));
        CrustNode stranger = nodes.start();
        Nodes.await(a, CrustEvent.BootstrapFinished.class);

        assertThatThrownBy(() -> a.connect(stranger.id(), Duration.ofSeconds(3)))
                .isInstanceOf(CrustException.class)
                .hasMessageContaining("knows it");
    }

    @Test
    void simultaneousDialsSettleToOneConnectionOnBothSides() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        Thread ab = Thread.ofVirtual().start(() -> {
            try {
                a.connect(Nodes.tcp(b), Nodes.WAIT);
            } catch (CrustException e) {
                throw new IllegalStateException(e);
            }
        });
        Peer toA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        ab.join();
        Peer toB = a.peer(b.id()).orElseThrow();

        // Both ends keep the connection dialled by the smaller peer id and retire the other.
        boolean aDialledWinner = a.id().compareTo(b.id()) < 0;
        awaitRoute(toB, aDialledWinner ? Route.DIRECT : Route.BOOTSTRAP_IN);
        awaitRoute(toA, aDialledWinner ? Route.BOOTSTRAP_IN : Route.DIRECT);
        assertThat(a.peers()).hasSize(1);
        assertThat(b.peers()).hasSize(1);

        toA.send("after settling".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(Nodes.await(a, CrustEvent.MessageReceived.class).message(), StandardCharsets.UTF_8))
                .isEqualTo("after settling");
        assertThat(toA.isOpen()).isTrue();
        assertThat(toB.isOpen()).isTrue();
    }

    private static void awaitRoute(Peer peer, Route route) throws InterruptedException {
        long deadline = System.nanoTime() + Nodes.WAIT.toNanos();
        while (peer.route() != route && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(peer.route()).isEqualTo(route);
    }
}
