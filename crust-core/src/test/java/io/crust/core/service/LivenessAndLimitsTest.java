package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.BanRule;
import io.crust.core.CrustEvent;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LivenessAndLimitsTest {
    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void aPeerThatFallsSilentIsLostWithinTheHeartbeatTimeout() throws Exception {
        CrustNode a = nodes.start(c -> c.heartbeatInterval(Duration.ofMillis(500)).heartbeatTimeout(Duration.ofSeconds(3)));
        CrustNode b = nodes.start(c -> c.heartbeatInterval(Duration.ofMillis(500)).heartbeatTimeout(Duration.ofSeconds(3)));
        try (SilentProxy proxy = new SilentProxy(Nodes.tcp(a))) {
            b.connect(proxy.address(), Nodes.WAIT);
            Nodes.await(a, CrustEvent.PeerConnected.class);
            long before = System.nanoTime();
            proxy.blackHole();

            CrustEvent.PeerLost lost = Nodes.await(b, CrustEvent.PeerLost.class);
            assertThat(lost.peer()).isEqualTo(a.id());
            assertThat(lost.reason()).isEqualTo(CrustEvent.PeerLost.Reason.HEARTBEAT_TIMEOUT);
            assertThat(lost.detail()).contains("no heartbeat");
            // Configured timeout 3 s: reported in seconds, not minutes (generous bound for a loaded machine).
            assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(25));
        }
    }

    @Test
    void trafficTamperedWithOnTheWayIsReportedAsMisbehaviour() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        try (SilentProxy proxy = new SilentProxy(Nodes.tcp(a))) {
            Peer toA = b.connect(proxy.address(), Nodes.WAIT);
            Nodes.await(a, CrustEvent.PeerConnected.class);
            proxy.corruptUpstreamByteAt(20_000);
            // Usually the flipped bit is in ciphertext (decryption failure); if it hits a length field,
            // the traffic after it makes the damage visible instead of leaving a's reader waiting.
            try {
                for (int i = 0; i < 8; i++) {
                    toA.send(new byte[40_000]);
                }
            } catch (CrustException closedByA) {
                // a hung up
            }

            List<CrustEvent> seen = new ArrayList<>();
            CrustEvent.PeerLost lost = Nodes.await(a, CrustEvent.PeerLost.class, e -> true, seen::add);
            Misbehaviour m = seen.stream().filter(Misbehaviour.class::isInstance).map(Misbehaviour.class::cast)
                    .findFirst().orElseThrow(() -> new AssertionError("no misbehaviour before " + lost + "; saw " + seen));
            assertThat(m.kind()).isIn(Misbehaviour.Kind.DECRYPTION_FAILURE, Misbehaviour.Kind.PROTOCOL_VIOLATION,
                    Misbehaviour.Kind.OVERSIZED_FRAME);
            assertThat(m.peer()).isEqualTo(b.id());
        }
    }

    @Test
    void aNodeThatDiesAbruptlyIsReportedLost() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        b.connect(Nodes.tcp(a), Nodes.WAIT);
        Nodes.await(a, CrustEvent.PeerConnected.class);
        b.close();
        assertThat(Nodes.await(a, CrustEvent.PeerLost.class).peer()).isEqualTo(b.id());
    }

    @Test
    void bannedPeerIdIsDroppedAtOnceToldWhyAndRefusedAfterwards() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        b.connect(Nodes.tcp(a), Nodes.WAIT);
        Nodes.await(a, CrustEvent.PeerConnected.class);

        a.ban(BanRule.peer(b.id()));
        assertThat(Nodes.await(a, CrustEvent.PeerLost.class).reason()).isEqualTo(CrustEvent.PeerLost.Reason.BANNED);
        CrustEvent.PeerLost atB = Nodes.await(b, CrustEvent.PeerLost.class);
        assertThat(atB.reason()).isEqualTo(CrustEvent.PeerLost.Reason.GOODBYE);
        assertThat(atB.detail()).contains("banned");

        assertThatThrownBy(() -> {
            Peer p = b.connect(Nodes.tcp(a), Nodes.WAIT);
            // The handshake may complete on b's side before a drops it; a never keeps it.
            Nodes.await(b, CrustEvent.PeerLost.class, l -> l.peer().equals(p.id()));
            throw new CrustException("dropped after the handshake");
        }).isInstanceOf(CrustException.class);
        assertThat(a.peers()).isEmpty();
    }

    @Test
    void bannedAddressBlockIsRefusedBeforeTheHandshake() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        b.connect(Nodes.tcp(a), Nodes.WAIT);
        Nodes.await(a, CrustEvent.PeerConnected.class);

        a.ban(BanRule.cidr("127.0.0.0/8"));
        assertThat(Nodes.await(a, CrustEvent.PeerLost.class).reason()).isEqualTo(CrustEvent.PeerLost.Reason.BANNED);
        assertThatThrownBy(() -> b.connect(Nodes.tcp(a), Duration.ofSeconds(5))).isInstanceOf(CrustException.class);
        assertThat(a.peers()).isEmpty();

        a.unban(BanRule.cidr("127.0.0.0/8"));
        assertThat(b.connect(Nodes.tcp(a), Nodes.WAIT).id()).isEqualTo(a.id());
    }

    @Test
    void aPeerThatFloodsIsReportedAndDisconnectedAndToldWhy() throws Exception {
        CrustNode a = nodes.start(c -> c.messagesPerSecondPerPeer(50));
        CrustNode b = nodes.start();
        Peer toA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        try {
            for (int i = 0; i < 2000; i++) {
                toA.send(new byte[] {(byte) i});
            }
        } catch (CrustException expected) {
            // a hangs up in the middle of the flood
        }
        Misbehaviour m = Nodes.await(a, Misbehaviour.class);
        assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.FLOOD);
        assertThat(m.peer()).isEqualTo(b.id());
        assertThat(Nodes.await(a, CrustEvent.PeerLost.class).peer()).isEqualTo(b.id());
        CrustEvent.PeerLost atB = Nodes.await(b, CrustEvent.PeerLost.class);
        assertThat(atB.reason()).isEqualTo(CrustEvent.PeerLost.Reason.GOODBYE);
        assertThat(atB.detail()).contains("misbehaved: FLOOD");
    }

    @Test
    void anOversizedMessageIsReportedAndDisconnected() throws Exception {
        CrustNode a = nodes.start(c -> c.maxMessageBytes(1000));
        CrustNode b = nodes.start();
        Peer toA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        toA.send(new byte[5000]);

        Misbehaviour m = Nodes.await(a, Misbehaviour.class);
        assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.OVERSIZED_FRAME);
        assertThat(Nodes.await(b, CrustEvent.PeerLost.class).peer()).isEqualTo(a.id());
    }

    @Test
    void sendingMoreThanTheLocalLimitFailsAtOnce() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start(c -> c.maxMessageBytes(100));
        Peer toA = b.connect(Nodes.tcp(a), Nodes.WAIT);
        assertThatThrownBy(() -> toA.send(new byte[101])).isInstanceOf(CrustException.class).hasMessageContaining("maxMessageBytes");
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        CrustNode a = nodes.start(c -> c.maxConnections(1));
        CrustNode b = nodes.start();
        CrustNode c = nodes.start();
        b.connect(Nodes.tcp(a), Nodes.WAIT).send(new byte[] {1});
        Nodes.await(a, CrustEvent.PeerConnected.class);
        // b talks to a's application, so it is not an idle unknown peer that a newcomer may displace.
        Nodes.await(a, CrustEvent.MessageReceived.class);

        assertThatThrownBy(() -> c.connect(Nodes.tcp(a), Duration.ofSeconds(5))).isInstanceOf(CrustException.class);
        Misbehaviour m = Nodes.await(a, Misbehaviour.class);
        assertThat(m.kind()).isEqualTo(Misbehaviour.Kind.LIMIT_EXCEEDED);
        assertThat(m.address().getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
    }
}
