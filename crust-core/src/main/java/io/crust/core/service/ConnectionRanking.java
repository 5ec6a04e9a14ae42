package io.crust.core.service;

import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.peer.PeerConnection;
import java.util.Comparator;

/**
 * The order in which the {@link PeerTable} ranks the connections to one peer, the same at both ends:
 *
 * <ol>
 *   <li>a direct connection beats a relayed one;
 *   <li>then TCP beats crust-udt;
 *   <li>then the connection dialled by the smaller peer id (unsigned key bytes) wins;
 *   <li>then the later dial: the larger dial number, which the initiator sends in the handshake
 *       (see {@link io.crust.core.handshake.SecureChannel#dialNumber}), so both ends compare the same
 *       numbers even when one side dialled twice at once and the handshakes finished in a different
 *       order at each end (by the order of registration, which each end sees for itself, the two
 *       ends could rank such a pair differently and deliver a sender's messages out of order).
 * </ol>
 * The later dial wins because a peer that dials again while we still hold its old connection has
 * usually dropped that one (its GOODBYE may still be on the way). The order is total (two
 * connections with one dial number, which an honest initiator never sends, fall back to the order of
 * registration here), so a sender only ever moves to a connection that ranks higher.
 *
 * <p>Threads: any; it holds no state but our own id.
 */
final class ConnectionRanking implements Comparator<PeerConnection> {
    private final PeerId self;
    private final Comparator<PeerConnection> order = Comparator
            .comparingInt((PeerConnection c) -> c.route() != Route.RELAYED ? 1 : 0)
            .thenComparingInt(c -> c.transport() == Transport.TCP ? 1 : 0)
            .thenComparingInt(c -> dialledBySmaller(c) ? 1 : 0)
            .thenComparingLong(PeerConnection::dialNumber)
            .thenComparingLong(PeerConnection::serial);

    ConnectionRanking(PeerId self) {
        this.self = self;
    }

    @Override
    public int compare(PeerConnection a, PeerConnection b) {
        return order.compare(a, b);
    }

    private boolean dialledBySmaller(PeerConnection c) {
        PeerId responder = c.initiator().equals(c.remote()) ? self : c.remote();
        return c.initiator().compareTo(responder) < 0;
    }
}
