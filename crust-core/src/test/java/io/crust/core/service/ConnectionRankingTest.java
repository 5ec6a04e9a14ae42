package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.peer.PeerConnection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionRankingTest {
    private final PipeConnections pipes = new PipeConnections(System::nanoTime);
    private final ConnectionRanking ranking = new ConnectionRanking(pipes.me.peerId());

    @AfterEach
    void closeConnections() throws Exception {
        pipes.close();
    }

    @Test
    void aDirectConnectionOutranksARelayedOneWhateverItsTransport() throws Exception {
        PeerConnection relayedTcp = pipes.open(Route.RELAYED, Transport.TCP);
        PeerConnection punchedUdt = pipes.open(Route.PUNCHED, Transport.UDT);
        assertThat(ranking.compare(punchedUdt, relayedTcp)).isPositive();
    }

    @Test
    void onTheSameKindOfPathTcpOutranksCrustUdt() throws Exception {
        PeerConnection tcp = pipes.open(Route.DIRECT, Transport.TCP);
        PeerConnection udt = pipes.open(Route.DIRECT, Transport.UDT);
        assertThat(ranking.compare(tcp, udt)).isPositive();
    }

    @Test
    void betweenTwoConnectionsOfOneKindTheOneDialledByTheSmallerPeerIdWinsEvenIfOlder() throws Exception {
        boolean weAreSmaller = pipes.me.peerId().compareTo(pipes.them.peerId()) < 0;
        PeerConnection dialledBySmaller = pipes.open(Route.DIRECT, Transport.TCP, weAreSmaller ? pipes.me : pipes.them);
        PeerConnection dialledByLarger = pipes.open(Route.DIRECT, Transport.TCP, weAreSmaller ? pipes.them : pipes.me);
        assertThat(ranking.compare(dialledBySmaller, dialledByLarger)).isPositive();
    }

    @Test
    void betweenTwoConnectionsOfOneKindDialledByTheSameSideTheNewerWins() throws Exception {
        PeerConnection older = pipes.open(Route.PUNCHED, Transport.TCP);
        PeerConnection newer = pipes.open(Route.PUNCHED, Transport.TCP);
        assertThat(List.of(newer, older).stream().max(ranking)).contains(newer);
        assertThat(ranking.compare(older, older)).isZero();
    }

    @Test
    void twoDialsBySameSideRankAlikeAtBothEndsWhateverOrderEachEndRegisteredThemIn() throws Exception {
        PeerConnection earlierDial = pipes.open(Route.PUNCHED, Transport.UDT);
        PeerConnection laterDial = pipes.open(Route.PUNCHED, Transport.UDT);
        // At the other end the later dial's handshake finished first, so it registered first there.
        PeerConnection theirLaterDial = pipes.theirEnd(laterDial);
        PeerConnection theirEarlierDial = pipes.theirEnd(earlierDial);
        ConnectionRanking theirRanking = new ConnectionRanking(pipes.them.peerId());

        assertThat(theirEarlierDial.serial()).isGreaterThan(theirLaterDial.serial());
        assertThat(List.of(earlierDial, laterDial).stream().max(ranking)).contains(laterDial);
        assertThat(List.of(theirLaterDial, theirEarlierDial).stream().max(theirRanking)).contains(theirLaterDial);
    }
}
