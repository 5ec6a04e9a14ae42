package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.ConnectionInfo;
import io.crust.core.Peer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dials of one peer over one transport that start at once make one connection (see {@link DialGuard}). */
class DialGuardTest {
    @TempDir
    Path dir;

    @Test
    void dialsOfOnePeerOverTheSameTransportStartedAtOnceRegisterOneConnectionAtEachEnd() throws Exception {
        try (Node alice = Node.start(Nodes.config(dir.resolve("alice")).build());
                Node bob = Node.start(Nodes.config(dir.resolve("bob")).build());
                ExecutorService dialers = Executors.newVirtualThreadPerTaskExecutor()) {
            ConnectionInfo info = new ConnectionInfo(alice.id(), List.of(alice.tcpAddress().orElseThrow()), List.of());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Peer>> dials = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                dials.add(dialers.submit(() -> {
                    go.await();
                    return bob.connect(info, Nodes.WAIT);
                }));
            }
            go.countDown();
            List<Peer> peers = new ArrayList<>();
            for (Future<Peer> dial : dials) {
                peers.add(dial.get(Nodes.WAIT.toSeconds(), TimeUnit.SECONDS));
            }

            // Bob registers when he sends the handshake's last message, Alice when it arrives; the count
            // is taken with the table's lock, so once she lists him it includes his connection.
            alice.awaitPeer(bob.id(), Nodes.WAIT);
            assertThat(peers).allMatch(p -> p == peers.get(0) && p.isOpen());
            assertThat(bob.registeredConnections()).as("connections bob registered").isEqualTo(1);
            assertThat(alice.registeredConnections()).as("connections alice registered").isEqualTo(1);
        }
    }
}
