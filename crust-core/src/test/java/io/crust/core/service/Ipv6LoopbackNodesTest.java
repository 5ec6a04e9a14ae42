package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Transport;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two nodes bound to {@code ::1} connect by address and exchange a message, over TCP and over crust-udt. */
class Ipv6LoopbackNodesTest {
    @RegisterExtension
    final Nodes nodes = new Nodes();

    @Test
    void nodesOnTheIpv6LoopbackConnectOverTcpAndExchangeAMessage() throws Exception {
        CrustNode alice = nodes.start(b -> b.bindAddress(ipv6Loopback()));
        CrustNode bob = nodes.start(b -> b.bindAddress(ipv6Loopback()));
        Peer peer = bob.connect(new ConnectionInfo(alice.id(), List.of(Nodes.tcp(alice)), List.of()), Nodes.WAIT);
        assertExchange(alice, peer, Transport.TCP);
    }

    @Test
    void nodesOnTheIpv6LoopbackConnectOverCrustUdtAndExchangeAMessage() throws Exception {
        CrustNode alice = nodes.start(b -> b.bindAddress(ipv6Loopback()).tcp(false).udp(true));
        CrustNode bob = nodes.start(b -> b.bindAddress(ipv6Loopback()).tcp(false).udp(true));
        Peer peer = bob.connect(new ConnectionInfo(alice.id(), List.of(), List.of(alice.udpAddress().orElseThrow())),
                Nodes.WAIT);
        assertExchange(alice, peer, Transport.UDT);
    }

    private static void assertExchange(CrustNode alice, Peer peer, Transport transport) throws Exception {
        assertThat(peer.transport()).isEqualTo(transport);
        assertThat(peer.remoteAddress().getAddress()).isInstanceOf(Inet6Address.class);
        peer.send("over IPv6".getBytes(StandardCharsets.UTF_8));
        CrustEvent.MessageReceived m = Nodes.await(alice, CrustEvent.MessageReceived.class);
        assertThat(new String(m.message(), StandardCharsets.UTF_8)).isEqualTo("over IPv6");
    }

    /** {@code ::1}, built from its bytes: no name lookup. */
    private static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (java.net.UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
