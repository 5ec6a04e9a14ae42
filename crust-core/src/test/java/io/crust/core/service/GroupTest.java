package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.bootstrap.BootstrapCache;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GroupTest {
    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void aRestartedNodeRejoinsThroughItsBootstrapCacheWithoutContacts() throws Exception {
        CrustNode a = nodes.start();
        Path bDir = Files.createDirectories(nodes.root().resolve("b"));
        PeerId bId;
        try (CrustNode b = CrustNode.start(Nodes.config(bDir).contacts(List.of(Nodes.tcp(a))).build())) {
            bId = b.id();
            Nodes.await(b, CrustEvent.BootstrapFinished.class);
            awaitCached(b, a.id());
        }
        Nodes.await(a, CrustEvent.PeerLost.class);

        try (CrustNode again = CrustNode.start(Nodes.config(bDir).build())) {
            assertThat(again.id()).isEqualTo(bId);
            CrustEvent.BootstrapFinished finished = Nodes.await(again, CrustEvent.BootstrapFinished.class);
            assertThat(finished.peers()).containsExactly(a.id());
            assertThat(again.peer(a.id())).hasValueSatisfying(p -> assertThat(p.route()).isEqualTo(Route.BOOTSTRAP_OUT));
        }
    }

    private static void awaitKnown(CrustNode node, PeerId id) throws InterruptedException {
        awaitCached(node, id);
    }

    private static void awaitCached(CrustNode node, PeerId id) throws InterruptedException {
        long deadline = System.nanoTime() + Nodes.WAIT.toNanos();
        while (!node.knownPeers().contains(id) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(node.knownPeers()).contains(id);
    }

    @Test
    void gossipTeachesANodeAboutPeersSeveralHopsAway() throws Exception {
        // A chain: n0 - n1 - n2 - n3, each bootstrapping through the previous one.
        List<CrustNode> chain = new ArrayList<>();
        chain.add(nodes.start());
        for (int i = 1; i < 4; i++) {
            CrustNode previous = chain.get(i - 1);
            CrustNode next = nodes.start(c -> c.contacts(List.of(Nodes.tcp(previous))));
            Nodes.await(next, CrustEvent.BootstrapFinished.class);
            // A newcomer learns what its contact knows when it connects: let the knowledge arrive first.
            awaitKnown(next, chain.get(0).id());
            chain.add(next);
        }
        CrustNode last = chain.get(3);
        assertThat(last.knownPeers()).contains(chain.get(0).id(), chain.get(1).id());
        assertThat(last.peers()).extracting(Peer::id).containsExactly(chain.get(2).id());
    }

    @Test
    void aTargetPeerThatIsLostIsReconnected() throws Exception {
        CrustNode hub = nodes.start();
        Path bDir = Files.createDirectories(nodes.root().resolve("b"));
        CrustNode b = CrustNode.start(Nodes.config(bDir).contacts(List.of(Nodes.tcp(hub))).build());
        Nodes.await(b, CrustEvent.BootstrapFinished.class);
        PeerId bId = b.id();
        CrustNode c = nodes.start(Nodes.config(Files.createDirectories(nodes.root().resolve("c")))
                .contacts(List.of(Nodes.tcp(hub))).targetPeers(Set.of(bId)));
        Nodes.await(c, CrustEvent.PeerConnected.class, e -> e.peer().id().equals(bId));

        b.close();
        Nodes.await(c, CrustEvent.PeerLost.class, e -> e.peer().equals(bId));
        // The restarted b must not come back to c by itself: its bootstrap cache (which lists c) goes,
        // it joins through the hub only, on a new port; so the connection to c is c's own doing.
        Files.delete(bDir.resolve(BootstrapCache.FILE_NAME));
        try (CrustNode restarted = CrustNode.start(Nodes.config(bDir).contacts(List.of(Nodes.tcp(hub))).build())) {
            assertThat(restarted.id()).isEqualTo(bId);
            CrustEvent.BootstrapFinished joined = Nodes.await(restarted, CrustEvent.BootstrapFinished.class);
            assertThat(joined.peers()).containsExactly(hub.id());
            CrustEvent.PeerConnected again = Nodes.await(c, CrustEvent.PeerConnected.class, e -> e.peer().id().equals(bId));
            assertThat(again.peer().route()).as("route of the reconnection, as c sees it: c dialled it")
                    .isIn(Route.DIRECT, Route.PUNCHED);
            again.peer().send("back".getBytes(StandardCharsets.UTF_8));
            Nodes.await(restarted, CrustEvent.MessageReceived.class, m -> m.from().equals(c.id()));
        }
    }

    @Test
    void thirtyNodesJoinThroughOneSeedAndReachEachOtherById() throws Exception {
        CrustNode seed = nodes.start();
        List<CrustNode> members = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            members.add(nodes.start(c -> c.contacts(List.of(Nodes.tcp(seed)))));
        }
        for (CrustNode m : members) {
            Nodes.await(m, CrustEvent.BootstrapFinished.class);
        }
        for (int i = 0; i < members.size(); i += 3) {
            CrustNode from = members.get(i);
            CrustNode to = members.get((i + 7) % members.size());
            Peer peer = from.connect(to.id(), Nodes.WAIT);
            peer.send(new byte[] {(byte) i});
            CrustEvent.MessageReceived m = Nodes.await(to, CrustEvent.MessageReceived.class, e -> e.from().equals(from.id()));
            assertThat(m.message()).containsExactly((byte) i);
        }
        assertThat(seed.peers()).hasSize(30 + 0).allMatch(Peer::isOpen);
    }
}
