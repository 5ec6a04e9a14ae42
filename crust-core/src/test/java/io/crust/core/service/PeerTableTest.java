package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The peer table's bookkeeping, on authenticated connections over in-memory pipes that are never
 * started: the test closes and removes them itself, in the orders that the node's threads can produce.
 */
class PeerTableTest {
    private static final CloseCause FAILED = CloseCause.lost(CrustEvent.PeerLost.Reason.HEARTBEAT_TIMEOUT, "no heartbeat for 8000 ms");
    private static final CloseCause CLOSED_BY_PEER = CloseCause.lost(CrustEvent.PeerLost.Reason.CONNECTION_LOST, "connection closed by the peer");

    private final PipeConnections pipes = new PipeConnections(System::nanoTime);
    private final EventQueue events = new EventQueue(64);
    private final PeerTable table = new PeerTable(pipes.me.peerId(), events, 16, 16, 16, 1 << 20, 0, peer -> { }, System::nanoTime);

    @AfterEach
    void closeConnections() throws Exception {
        pipes.close();
    }

    @Test
    void aFailedConnectionWhoseReplacementRegisteredBeforeItsRemovalEndsThePeerAndStartsANewOne() throws Exception {
        PeerConnection tcp = pipes.open(Route.PUNCHED, Transport.TCP);
        PeerHandle first = table.add(tcp);
        assertThat(events.drain()).singleElement().isInstanceOf(CrustEvent.PeerConnected.class);

        tcp.close(FAILED);                                   // its reader has not reported it yet
        PeerConnection udt = pipes.open(Route.PUNCHED, Transport.UDT);
        assertThat(table.add(udt)).isSameAs(first);
        assertThat(events.drain()).as("no silent move onto the new connection").isEmpty();
        table.remove(tcp, FAILED);

        List<CrustEvent> seen = events.drain();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isInstanceOfSatisfying(CrustEvent.PeerLost.class,
                lost -> assertThat(lost.reason()).isEqualTo(CrustEvent.PeerLost.Reason.HEARTBEAT_TIMEOUT));
        assertThat(seen.get(1)).isInstanceOfSatisfying(CrustEvent.PeerConnected.class, connected -> {
            assertThat(connected.peer()).isNotSameAs(first);
            assertThat(connected.transport()).isEqualTo(Transport.UDT);
            assertThat(((PeerHandle) connected.peer()).current()).isSameAs(udt);
        });
        assertThat(first.isOpen()).isFalse();
        assertThat(udt.isRetiring()).isFalse();
    }

    @Test
    void aFailedConnectionWhileADuplicateIsRetiringReportsThePeerLostAtOnce() throws Exception {
        PeerConnection tcp = pipes.open(Route.PUNCHED, Transport.TCP);
        PeerHandle handle = table.add(tcp);
        PeerConnection udt = pipes.open(Route.PUNCHED, Transport.UDT);
        table.add(udt);
        assertThat(udt.isRetiring()).isTrue();
        events.drain();

        PipeConnections.end(table, tcp, FAILED);

        assertThat(events.drain()).singleElement().isInstanceOf(CrustEvent.PeerLost.class);
        assertThat(handle.isOpen()).isFalse();
        udt.close(CloseCause.quiet("duplicate connection retired"));
        table.remove(udt, CloseCause.quiet("duplicate connection retired"));
        assertThat(events.drain()).as("the retired duplicate ends quietly").isEmpty();
    }

    @Test
    void aNewerConnectionThatHasClosedStillDeliversOnlyAfterTheOlderOneHasDeliveredItsLast() throws Exception {
        PeerConnection udt = pipes.open(Route.PUNCHED, Transport.UDT);
        table.add(udt);
        PeerConnection tcp = pipes.open(Route.PUNCHED, Transport.TCP);
        table.add(tcp);
        assertThat(udt.isRetiring()).isTrue();
        assertThat(table.mayDeliverNow(tcp)).as("the peer sent on udt first").isFalse();

        tcp.close(CloseCause.quiet("duplicate connection retired"));
        assertThat(table.mayDeliverNow(tcp)).as("what tcp read before its end still follows udt's last message")
                .isFalse();

        PipeConnections.end(table, udt, CloseCause.quiet("duplicate connection retired"));
        assertThat(table.mayDeliverNow(tcp)).isTrue();
    }

    @Test
    void aQuietlyEndedConnectionMovesThePeerToItsReplacementWithoutALoss() throws Exception {
        PeerConnection tcp = pipes.open(Route.PUNCHED, Transport.TCP);
        PeerHandle handle = table.add(tcp);
        events.drain();

        tcp.close(CloseCause.quiet("retired by the peer"));
        PeerConnection udt = pipes.open(Route.PUNCHED, Transport.UDT);
        table.add(udt);
        table.remove(tcp, CloseCause.quiet("retired by the peer"));

        assertThat(events.drain()).singleElement().isInstanceOf(CrustEvent.ConnectionUpgraded.class);
        assertThat(handle.isOpen()).isTrue();
        assertThat(handle.current()).isSameAs(udt);
    }

    @Test
    void aReplacementArrivingAfterThePeerRetiredOurOnlyConnectionTakesOverTheSamePeer() throws Exception {
        PeerConnection relayed = pipes.open(Route.RELAYED, Transport.TCP);
        PeerHandle handle = table.add(relayed);
        events.drain();

        relayed.retire();                                    // the peer retired it: it has a better one
        CloseCause retired = CloseCause.quiet("duplicate connection retired");
        PipeConnections.end(table, relayed, retired);
        assertThat(events.drain()).as("the peer is kept while its replacement registers").isEmpty();
        PeerConnection direct = pipes.open(Route.PUNCHED, Transport.UDT);
        table.add(direct);

        assertThat(events.drain()).singleElement().isInstanceOfSatisfying(CrustEvent.ConnectionUpgraded.class,
                upgraded -> {
                    assertThat(upgraded.fromRoute()).isEqualTo(Route.RELAYED);
                    assertThat(upgraded.remoteAddress()).as("the new connection's address").isEqualTo(direct.remoteAddress());
                });
        assertThat(handle.isOpen()).isTrue();
        assertThat(handle.current()).isSameAs(direct);
    }

    @Test
    void aPeerTheApplicationClosesWhileItWaitsForItsReplacementIsNotReportedLostWhenTheWaitRunsOut() throws Exception {
        PeerConnection relayed = pipes.open(Route.RELAYED, Transport.TCP);
        PeerHandle handle = table.add(relayed);
        events.drain();
        relayed.retire();                                    // the peer retired it: it has a better one
        PipeConnections.end(table, relayed, CloseCause.quiet("duplicate connection retired"));
        assertThat(events.drain()).as("kept for its replacement").isEmpty();

        handle.close();
        table.expireOrphans(System.nanoTime() + 1, 0);       // the replacement never came

        assertThat(events.drain()).as("Peer.close() is never followed by PeerLost").isEmpty();
        assertThat(table.handle(handle.id())).isEmpty();
    }

    @Test
    void aRetiredConnectionThatFailsWithMessagesOnItReportsThePeerLostAndStartsANewOneOnTheReplacement() throws Exception {
        PeerConnection udt = pipes.open(Route.PUNCHED, Transport.UDT);
        PeerHandle first = table.add(udt);
        first.send("on the first connection".getBytes(), io.crust.core.Priority.HIGH);
        PeerConnection tcp = pipes.open(Route.PUNCHED, Transport.TCP);
        table.add(tcp);
        assertThat(udt.isRetiring()).isTrue();
        assertThat(first.current()).isSameAs(tcp);
        events.drain();

        PipeConnections.end(table, udt, CLOSED_BY_PEER);                             // before the RETIREs passed: the message may be lost

        List<CrustEvent> seen = events.drain();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isInstanceOf(CrustEvent.PeerLost.class);
        assertThat(seen.get(1)).isInstanceOfSatisfying(CrustEvent.PeerConnected.class, connected -> {
            assertThat(connected.peer()).isNotSameAs(first);
            assertThat(((PeerHandle) connected.peer()).current()).isSameAs(tcp);
        });
        assertThat(first.isOpen()).isFalse();
    }

    @Test
    void aRetiredConnectionThatFailsWithoutCarryingMessagesEndsWithoutAWord() throws Exception {
        PeerConnection udt = pipes.open(Route.PUNCHED, Transport.UDT);
        PeerHandle handle = table.add(udt);
        PeerConnection tcp = pipes.open(Route.PUNCHED, Transport.TCP);
        table.add(tcp);
        events.drain();

        PipeConnections.end(table, udt, CLOSED_BY_PEER);

        assertThat(events.drain()).isEmpty();
        assertThat(handle.isOpen()).isTrue();
        assertThat(handle.current()).isSameAs(tcp);
    }

    @Test
    void aMessageOnARetiredConnectionAfterTheCurrentOneFailedStartsANewPeerThatTakesIt() throws Exception {
        PeerConnection first = pipes.open(Route.PUNCHED, Transport.UDT);
        PeerHandle handle = table.add(first);
        PeerConnection second = pipes.open(Route.PUNCHED, Transport.UDT); // newer: it wins, first is retired
        table.add(second);
        assertThat(first.isRetiring()).isTrue();
        events.drain();

        PipeConnections.end(table, second, CLOSED_BY_PEER);

        assertThat(events.drain()).singleElement().isInstanceOf(CrustEvent.PeerLost.class);
        assertThat(handle.isOpen()).isFalse();

        // A message the peer sent on the first before it learnt of the retirement arrives now.
        PeerHandle next = table.handleForDelivery(first).orElseThrow();
        assertThat(next).isNotSameAs(handle);
        assertThat(next.current()).isSameAs(first);
        assertThat(events.drain()).singleElement().isInstanceOf(CrustEvent.PeerConnected.class);
        assertThat(table.handleForDelivery(first)).contains(next);
        assertThat(events.drain()).isEmpty();

        CloseCause retired = CloseCause.quiet("duplicate connection retired");
        PipeConnections.end(table, first, retired);
        PeerConnection replacement = pipes.open(Route.PUNCHED, Transport.TCP);
        table.add(replacement);
        assertThat(events.drain()).singleElement().isInstanceOf(CrustEvent.ConnectionUpgraded.class);
        assertThat(next.isOpen()).isTrue();
        assertThat(next.current()).isSameAs(replacement);
    }

    @Test
    void aMessageHandedOverByARetiredConnectionThatHasJustClosedStillStartsANewPeer() throws Exception {
        PeerConnection first = pipes.open(Route.PUNCHED, Transport.UDT);
        table.add(first);
        PeerConnection second = pipes.open(Route.PUNCHED, Transport.UDT);
        table.add(second);
        PipeConnections.end(table, second, CLOSED_BY_PEER);
        first.close(CloseCause.quiet("duplicate connection retired")); // its reader still hands over what came before
        events.drain();

        assertThat(table.handleForDelivery(first)).isPresent();
        assertThat(events.drain()).singleElement().isInstanceOf(CrustEvent.PeerConnected.class);
    }

    @Test
    void aMessageArrivingOnAConnectionOfAPeerTheApplicationClosedHasNoPeerToGoTo() throws Exception {
        PeerConnection c = pipes.open(Route.PUNCHED, Transport.TCP);
        PeerHandle handle = table.add(c);
        events.drain();
        handle.close();
        assertThat(table.handleForDelivery(c)).isEmpty();
        assertThat(events.drain()).isEmpty();
    }

    @Test
    void anOpenPeerWhoseLastConnectionEndsQuietlyWithoutBeingRetiredIsReportedLost() throws Exception {
        PeerConnection c = pipes.open(Route.PUNCHED, Transport.TCP);
        PeerHandle handle = table.add(c);
        events.drain();
        CloseCause interrupted = CloseCause.quiet("closed");

        c.close(interrupted);
        table.remove(c, interrupted);

        assertThat(handle.isOpen()).isFalse();
        assertThat(events.drain()).singleElement().isInstanceOfSatisfying(CrustEvent.PeerLost.class, lost -> {
            assertThat(lost.reason()).isEqualTo(CrustEvent.PeerLost.Reason.CONNECTION_LOST);
            assertThat(lost.detail()).isEqualTo("its last connection ended: closed");
        });
    }

    /**
     * After the application closed the peer, a late connection registered as a new peer and the remote
     * retired it at once (it still held the connection the application had just closed, which ranks
     * higher); that closed connection, which came along with the peer's row, ended last. The new peer
     * waits for its replacement as any peer whose connection was retired does; it had ended without a
     * word (seen in the NAT matrix: a {@code connected} event, then the peer gone from the list).
     */
    @Test
    void aNewPeerWhoseRetiredConnectionEndsBeforeTheClosedPeersLastOneWaitsForItsReplacement() throws Exception {
        PeerConnection tcp = pipes.open(Route.PUNCHED, Transport.TCP);
        PeerHandle closedByApplication = table.add(tcp);
        events.drain();
        closedByApplication.close();                         // tcp closes; its reader has not reported it yet
        PeerConnection udt = pipes.open(Route.PUNCHED, Transport.UDT);
        PeerHandle late = table.add(udt);
        assertThat(events.drain()).singleElement().isInstanceOf(CrustEvent.PeerConnected.class);
        assertThat(late).isNotSameAs(closedByApplication);

        udt.retire();                                        // the remote's RETIRE, then both RETIREs passed
        table.retired(udt);
        CloseCause retired = CloseCause.quiet("duplicate connection retired");
        udt.close(retired);
        table.remove(udt, retired);
        table.remove(tcp, CloseCause.quiet("closed by the application"));

        assertThat(late.isOpen()).as("kept for its replacement").isTrue();
        assertThat(table.handle(late.id())).contains(late);
        assertThat(events.drain()).isEmpty();
    }

    /**
     * A late attempt can register just as the application closes the peer (seen in the NAT matrix: a
     * {@code connected} event, then the connection gone without a {@code lost} one, and the next
     * {@code connect} of that peer unanswered). Here it registers from inside the close, where the
     * attempts are cancelled.
     */
    @Test
    void aConnectionRegisteringWhileTheApplicationClosesThePeerEndsWithItUnannounced() throws Exception {
        PeerTable[] holder = new PeerTable[1];
        PeerConnection[] late = new PeerConnection[1];
        PeerTable closing = new PeerTable(pipes.me.peerId(), events, 16, 16, 16, 1 << 20, 0, peer -> {
            try {
                late[0] = pipes.open(Route.PUNCHED, Transport.TCP);
                holder[0].add(late[0]);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, System::nanoTime);
        holder[0] = closing;
        PeerHandle handle = closing.add(pipes.open(Route.PUNCHED, Transport.TCP));
        events.drain();

        handle.close();

        assertThat(events.drain()).as("no new peer announced and then closed without a word").isEmpty();
        assertThat(late[0].isOpen()).isFalse();
        assertThat(closing.handle(handle.id())).isEmpty();
    }
}
