package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.BanRule;
import io.crust.core.ConnectFailedException;
import io.crust.core.ConnectionInfo;
import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.CrustTimeoutException;
import io.crust.core.PeerId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a first-time user meets: a node without a data directory, dialable addresses, typed failures. */
class NewcomerApiTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void aNodeWithoutDataDirectoryHasAFreshIdentityEachStartAndConnects() throws Exception {
        CrustConfig ephemeral = CrustConfig.builder().bindAddress(LOOPBACK).udp(false).build();
        assertThat(ephemeral.dataDir()).isEmpty();
        PeerId first;
        try (CrustNode a = CrustNode.start(ephemeral); CrustNode b = CrustNode.start(ephemeral)) {
            first = a.id();
            assertThat(b.id()).isNotEqualTo(a.id());
            b.connect(a.tcpAddress().orElseThrow(), Nodes.WAIT).send("hi".getBytes(StandardCharsets.UTF_8));
            CrustEvent.MessageReceived m = Nodes.await(a, CrustEvent.MessageReceived.class);
            assertThat(m.from()).isEqualTo(b.id());
        }
        try (CrustNode again = CrustNode.start(ephemeral)) {
            assertThat(again.id()).isNotEqualTo(first);
        }
    }

    @Test
    void listenAddressesOfANodeBoundToAllInterfacesAreNeverTheWildcard() throws Exception {
        // Bound to all interfaces but never dialled: no traffic leaves loopback.
        CrustNode node = nodes.start(c -> c.bindAddress(new InetSocketAddress(0).getAddress()).udp(true));

        InetSocketAddress tcp = node.tcpAddress().orElseThrow();
        InetSocketAddress udp = node.udpAddress().orElseThrow();
        assertThat(tcp.getAddress().isAnyLocalAddress()).isFalse();
        assertThat(udp.getAddress().isAnyLocalAddress()).isFalse();
        assertThat(node.connectionInfo().tcpAddresses()).contains(tcp);
        assertThat(node.connectionInfo().udpAddresses()).contains(udp);
        CrustEvent.ListenerStarted started = Nodes.await(node, CrustEvent.ListenerStarted.class);
        assertThat(started.address().getAddress().isAnyLocalAddress()).isFalse();
    }

    @Test
    void theConnectableAddressOfAWildcardPrefersIpv4AndFallsBackToLoopback() throws Exception {
        InetSocketAddress wildcard = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 5483);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 5483);
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 5483);
        InetSocketAddress specific = new InetSocketAddress(InetAddress.getByName("192.0.2.9"), 5483);

        assertThat(LocalAddresses.connectable(wildcard, List.of(v6, v4))).isEqualTo(v4);
        assertThat(LocalAddresses.connectable(wildcard, List.of(v6))).isEqualTo(v6);
        assertThat(LocalAddresses.connectable(wildcard, List.of())).isEqualTo(new InetSocketAddress(LOOPBACK, 5483));
        assertThat(LocalAddresses.connectable(specific, List.of(v4))).isEqualTo(specific);
    }

    @Test
    void dialingAPortNobodyListensOnFailsAsUnreachable() throws Exception {
        CrustNode a = nodes.start();
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closed = (InetSocketAddress) s.getLocalSocketAddress();
        }
        assertThatThrownBy(() -> a.connect(closed, Nodes.WAIT))
                .isInstanceOfSatisfying(ConnectFailedException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConnectFailedException.Reason.UNREACHABLE));
    }

    @Test
    void dialingAnAddressThatNeverAnswersTheHandshakeRunsOutOfTime() throws Exception {
        CrustNode a = nodes.start();
        // The kernel accepts the connection into the backlog; nothing ever answers the handshake.
        try (ServerSocket silent = new ServerSocket(0, 8, LOOPBACK)) {
            assertThatThrownBy(() -> a.connect((InetSocketAddress) silent.getLocalSocketAddress(), Duration.ofMillis(300)))
                    .isInstanceOf(CrustTimeoutException.class);
        }
    }

    @Test
    void dialingABannedAddressFailsAsBanned() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        a.ban(BanRule.ip(LOOPBACK));
        assertThatThrownBy(() -> a.connect(Nodes.tcp(b), Nodes.WAIT))
                .isInstanceOfSatisfying(ConnectFailedException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConnectFailedException.Reason.BANNED));
    }

    @Test
    void dialingOurselvesFailsAsSelf() throws Exception {
        CrustNode a = nodes.start();
        assertThatThrownBy(() -> a.connect(Nodes.tcp(a), Nodes.WAIT))
                .isInstanceOfSatisfying(ConnectFailedException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConnectFailedException.Reason.SELF));
    }

    @Test
    void anotherIdentityAnsweringAConnectionInfoFailsTheHandshake() throws Exception {
        CrustNode a = nodes.start();
        CrustNode other = nodes.start();
        CrustNode c = nodes.start();
        ConnectionInfo forged = new ConnectionInfo(other.id(), a.connectionInfo().tcpAddresses(), List.of());
        assertThatThrownBy(() -> c.connect(forged, Nodes.WAIT))
                .isInstanceOfSatisfying(ConnectFailedException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConnectFailedException.Reason.HANDSHAKE_FAILED));
    }

    @Test
    void connectingByIdWithoutAnyConnectedPeerFailsForWantOfARendezvous() throws Exception {
        CrustNode a = nodes.start();
        CrustNode stranger = nodes.start();
        assertThatThrownBy(() -> a.connect(stranger.id(), Nodes.WAIT))
                .isInstanceOfSatisfying(ConnectFailedException.class,
                        e -> assertThat(e.reason()).isEqualTo(ConnectFailedException.Reason.NO_RENDEZVOUS));
    }

    @Test
    void eventsTakeRunsOutOfTimeWithTheTimeoutException() throws Exception {
        CrustNode a = nodes.start();
        // The last event of a start without contacts comes from the bootstrap thread, after start returns:
        // drained before it arrived, it would be what take finds.
        Nodes.await(a, CrustEvent.BootstrapFailed.class);
        a.events().drain();
        assertThatThrownBy(() -> a.events().take(Duration.ofMillis(20))).isInstanceOf(CrustTimeoutException.class);
    }
}
