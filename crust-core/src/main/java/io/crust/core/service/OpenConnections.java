package io.crust.core.service;

import io.crust.core.PeerId;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The connections that carry each connected peer's traffic now (the current one of each handle, if
 * open): what the rendezvous, the relay, gossip and HELLO bookkeeping look at.
 *
 * <p>Threads: any; each call reads the peer table under its lock.
 */
final class OpenConnections {
    private final PeerTable table;

    OpenConnections(PeerTable table) {
        this.table = table;
    }

    /** The current connection of every connected peer. */
    List<PeerConnection> all() {
        List<PeerConnection> out = new ArrayList<>();
        for (PeerHandle h : table.handles()) {
            PeerConnection c = h.current();
            if (c.isOpen()) {
                out.add(c);
            }
        }
        return out;
    }

    /** The current connection to a peer, if it is open. */
    Optional<PeerConnection> to(PeerId id) {
        return table.handle(id).map(PeerHandle::current).filter(PeerConnection::isOpen);
    }

    /** The ids of the connected peers. */
    Set<PeerId> ids() {
        Set<PeerId> ids = new HashSet<>();
        for (PeerHandle h : table.handles()) {
            ids.add(h.id());
        }
        return ids;
    }
}
