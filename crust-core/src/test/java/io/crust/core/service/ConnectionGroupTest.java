package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.Identity;
import io.crust.core.bootstrap.BootstrapCache;
import io.crust.core.frame.TcpFrameTransport;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ConnectionGroupTest {
    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void nodeBootstrapsThroughAContactAndBothSidesSeeTheConnection() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start(c -> c.contacts(List.of(Nodes.tcp(a))));

        CrustEvent.BootstrapFinished finished = Nodes.await(b, CrustEvent.BootstrapFinished.class);
        assertThat(finished.peers()).contains(a.id());
        CrustEvent.PeerConnected atA = Nodes.await(a, CrustEvent.PeerConnected.class);
        assertThat(atA.peer().id()).isEqualTo(b.id());
        assertThat(atA.route()).isEqualTo(Route.BOOTSTRAP_IN);
        assertThat(atA.transport()).isEqualTo(Transport.TCP);
        assertThat(b.peer(a.id())).hasValueSatisfying(p -> assertThat(p.route()).isEqualTo(Route.BOOTSTRAP_OUT));
    }

    /**
     * A node has its contact in its bootstrap cache by the time it reports {@code BootstrapFinished}, also
     * when the contact's HELLO (which used to be what wrote the cache) has not arrived: a node killed right
     * after that event must come back through its cache (PeerLabScenariosTest's scenario e once found it
     * empty). The contact here completes the handshake and then says nothing.
     */
    @Test
    void aNodeHasItsContactInItsBootstrapCacheWhenItReportsBootstrapFinishedEvenBeforeTheContactsHello(
            @TempDir Path dataDir) throws Exception {
        Identity contact = Identity.generate();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<SecureChannel> silent = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket socket = listener.accept();
                    return SecureChannel.respond(new TcpFrameTransport(socket, TcpFrameTransport.MAX_FRAME_BYTES),
                            contact, HandshakeParams.defaults("test"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CrustNode b = nodes.start(Nodes.config(dataDir)
                    .contacts(List.of((InetSocketAddress) listener.getLocalSocketAddress())));

            Nodes.await(b, CrustEvent.BootstrapFinished.class);

            assertThat(BootstrapCache.open(dataDir).entries())
                    .extracting(BootstrapCache.Entry::peerId).contains(contact.peerId());
            silent.get(Nodes.WAIT.toSeconds(), TimeUnit.SECONDS).close();
        }
    }

    @Test
    void messagesArriveInTheOrderTheyWereSent() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        Peer toA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        assertThat(toA.id()).isEqualTo(a.id());
        for (int i = 0; i < 500; i++) {
            toA.send(("message " + i).getBytes(StandardCharsets.UTF_8));
        }
        List<String> received = new ArrayList<>();
        while (received.size() < 500) {
            CrustEvent.MessageReceived m = Nodes.await(a, CrustEvent.MessageReceived.class);
            assertThat(m.from()).isEqualTo(b.id());
            received.add(new String(m.message(), StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 500; i++) {
            assertThat(received.get(i)).isEqualTo("message " + i);
        }
    }

    @Test
    void nodesConnectOverCrustUdtWhenTcpIsOff() throws Exception {
        CrustNode a = nodes.start(c -> c.tcp(false).udp(true));
        CrustNode b = nodes.start(c -> c.tcp(false).udp(true).contacts(List.of(a.udpAddress().orElseThrow())));

        CrustEvent.PeerConnected atB = Nodes.await(b, CrustEvent.PeerConnected.class);
        assertThat(atB.transport()).isEqualTo(Transport.UDT);
        assertThat(atB.route()).isEqualTo(Route.BOOTSTRAP_OUT);
        atB.peer().send(new byte[100_000]);
        CrustEvent.MessageReceived m = Nodes.await(a, CrustEvent.MessageReceived.class);
        assertThat(m.message()).hasSize(100_000);
    }

    @Test
    void connectionInfoPassedOutOfBandIsDialledAndMustProveItsId() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        CrustNode other = nodes.start();
        ConnectionInfo info = ConnectionInfo.parse(a.connectionInfo().toText());

        assertThat(b.connect(info, Nodes.WAIT).id()).isEqualTo(a.id());
        // Someone else's id with a's addresses: whoever answers there cannot prove it.
        ConnectionInfo forged = new ConnectionInfo(other.id(), info.tcpAddresses(), info.udpAddresses());
        CrustNode c = nodes.start();
        assertThatThrownBy(() -> c.connect(forged, Duration.ofSeconds(10))).isInstanceOf(CrustException.class);
        assertThat(c.peers()).isEmpty();
    }

    @Test
    void messagesWaitWhileTheApplicationDoesNotDrainEventsAndNoneIsLost() throws Exception {
        CrustNode a = nodes.start(c -> c.eventQueueCapacity(4));
        CrustNode b = nodes.start();
        Peer toA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        for (int i = 0; i < 300; i++) {
            toA.send(new byte[] {(byte) i, (byte) (i >> 8)});
        }
        Nodes.await(a, CrustEvent.PeerConnected.class);
        for (int i = 0; i < 300; i++) {
            CrustEvent.MessageReceived m = Nodes.await(a, CrustEvent.MessageReceived.class);
            assertThat(m.message()).containsExactly((byte) i, (byte) (i >> 8));
        }
    }

    @Test
    void peerClosedByTheApplicationIsReportedLostOnTheOtherSide() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        Peer toA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        Nodes.await(a, CrustEvent.PeerConnected.class);
        toA.close();

        CrustEvent.PeerLost lost = Nodes.await(a, CrustEvent.PeerLost.class);
        assertThat(lost.peer()).isEqualTo(b.id());
        assertThat(lost.reason()).isEqualTo(CrustEvent.PeerLost.Reason.GOODBYE);
        assertThat(lost.detail()).contains("closed by the application");
        assertThat(toA.isOpen()).isFalse();
        assertThatThrownBy(() -> toA.send(new byte[1])).isInstanceOf(CrustException.class);
    }

    @Test
    void aPeerThatClosesWhileWeSendIsReportedLostWithItsGoodbyeNotTheFailedSend() throws Exception {
        for (int round = 0; round < 3; round++) {
            CrustNode a = nodes.start();
            CrustNode b = nodes.start();
            Peer toA = b.connect(Nodes.tcp(a), Nodes.WAIT);
            Peer toB = Nodes.await(a, CrustEvent.PeerConnected.class).peer();
            // A keeps writing while B closes: A's writes start failing (broken pipe) while B's GOODBYE
            // still waits in A's receive buffer.
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        toB.send(new byte[16 * 1024]);
                    }
                } catch (CrustException expected) {
                    // the connection went away
                }
            });
            toA.close();
            CrustEvent.PeerLost lost = Nodes.await(a, CrustEvent.PeerLost.class);
            sender.join(Nodes.WAIT);
            assertThat(lost.detail()).as("round %d", round).contains("closed by the application");
            a.close();
            b.close();
        }
    }

    @Test
    void nodesOfDifferentNetworksRefuseEachOther() throws Exception {
        CrustNode a = nodes.start(c -> c.networkName("alpha"));
        CrustNode b = nodes.start(c -> c.networkName("beta"));

        assertThatThrownBy(() -> b.connect(Nodes.tcp(a), Nodes.WAIT))
                .isInstanceOf(CrustException.class)
                .hasMessageContaining("network");
        assertThat(a.peers()).isEmpty();
        assertThat(b.peers()).isEmpty();
    }

    @Test
    void aNodeWithoutCandidatesReportsBootstrapFailed() throws Exception {
        CrustNode a = nodes.start();
        assertThat(Nodes.await(a, CrustEvent.BootstrapFailed.class).reason()).contains("no bootstrap candidates");
    }

    @Test
    void startFailsWithAClearReasonWhenThePortIsTaken() throws Exception {
        CrustNode a = nodes.start();
        int port = Nodes.tcp(a).getPort();
        assertThatThrownBy(() -> nodes.start(c -> c.listenTcpPort(port)))
                .isInstanceOf(CrustException.class)
                .hasMessageContaining("no listener could start")
                .hasMessageContaining(String.valueOf(port));
    }
}
