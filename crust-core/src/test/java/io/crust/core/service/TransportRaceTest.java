package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code connect(address)} races TCP and crust-udt with a stagger (RFC 8305): a peer whose TCP SYNs are
 * silently dropped costs the stagger, not the timeout, before crust-udt reaches it.
 */
class TransportRaceTest {
    private static final Duration LONG_TIMEOUT = Duration.ofSeconds(20);

    @RegisterExtension
    final Nodes nodes = new Nodes();

    private final List<AutoCloseable> blackHole = new ArrayList<>();

    @AfterEach
    void closeBlackHole() throws Exception {
        for (AutoCloseable c : blackHole) {
            c.close();
        }
    }

    @Test
    void aPeerWhoseTcpSynsAreDroppedIsReachedOverCrustUdtAfterTheStaggerNotTheTimeout() throws Exception {
        CrustNode b = nodes.start(c -> c.tcp(false).udp(true));
        CrustNode a = nodes.start(c -> c.udp(true));
        InetSocketAddress address = b.udpAddress().orElseThrow();
        dropSynsTo(address);

        long start = System.nanoTime();
        Peer peer = a.connect(address, LONG_TIMEOUT);
        long millis = (System.nanoTime() - start) / 1_000_000;

        System.out.printf("connect(address) with TCP SYNs dropped: %s in %d ms (stagger %d ms, timeout %d s)%n",
                peer.transport(), millis, Dialer.TRANSPORT_STAGGER.toMillis(), LONG_TIMEOUT.toSeconds());
        assertThat(peer.id()).isEqualTo(b.id());
        assertThat(peer.transport()).isEqualTo(Transport.UDT);
        // Tried in turn, TCP would have held the dial for the whole timeout.
        assertThat(Duration.ofMillis(millis)).isLessThan(LONG_TIMEOUT.dividedBy(4));
    }

    @Test
    void aPeerThatAnswersTcpAtOnceIsReachedOverTcpAlone() throws Exception {
        CrustNode b = nodes.start(c -> c.udp(true));
        CrustNode a = nodes.start(c -> c.udp(true));

        Peer peer = a.connect(Nodes.tcp(b), LONG_TIMEOUT);

        assertThat(peer.transport()).isEqualTo(Transport.TCP);
    }

    @Test
    void whenBothTransportsFailTheErrorNamesBoth() throws Exception {
        CrustNode a = nodes.start(c -> c.udp(true));
        InetSocketAddress nobody;
        try (ServerSocket probe = new ServerSocket(0, 1, Nodes.tcp(a).getAddress())) {
            nobody = (InetSocketAddress) probe.getLocalSocketAddress();
        }

        assertThatThrownBy(() -> a.connect(nobody, Duration.ofSeconds(3)))
                .hasMessageContaining("tcp: ")
                .hasMessageContaining("udt: ");
    }

    /**
     * Makes the kernel drop SYNs to {@code address} silently, in this process and without root: a TCP
     * listener there that never accepts, its accept queue filled. Checks that a SYN really goes unanswered.
     */
    private void dropSynsTo(InetSocketAddress address) throws IOException {
        ServerSocket listener = new ServerSocket();
        blackHole.add(listener);
        listener.bind(address, 1);
        // Linux holds backlog + 1 established connections; the SYNs after them are dropped.
        for (int i = 0; i < 2; i++) {
            Socket filler = new Socket();
            blackHole.add(filler);
            filler.connect(address, 1000);
        }
        try (Socket probe = new Socket()) {
            assertThatThrownBy(() -> probe.connect(address, 500)).isInstanceOf(SocketTimeoutException.class);
        }
    }
}
