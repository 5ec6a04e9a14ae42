package io.crust.core.service;

import io.crust.core.peer.CloseCause;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * One peer in the {@link PeerTable}: the handle the application holds and every connection to the
 * peer that has not ended yet (the current one, duplicates being retired, and those of a closed
 * handle that are still ending).
 *
 * <p>Threads: any, under the peer table's lock.
 */
final class PeerEntry {
    final PeerHandle handle;
    final List<PeerConnection> connections = new ArrayList<>();
    /** Every connection this handle has pointed at: the application's messages went over them. */
    final Set<PeerConnection> carriers = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Set while the peer has no connection because its last one was retired: its replacement is coming. */
    long orphanSinceNanos;
    /** The handle was ended by a failure (not by the application) while retiring connections remained. */
    boolean endedByFailure;
    /**
     * Resumption (docs/connection-group.md): the handle's connection that broke, kept while a new
     * connection may still continue it; null otherwise.
     */
    PeerConnection broken;
    /** Why {@link #broken} ended, for the {@code PeerLost} if it is never continued (null while it ends here). */
    CloseCause brokenCause;
    long brokenSinceNanos;
    /**
     * On the side that answers: the new connection that continues {@link #broken}, until
     * {@link #broken} has ended here and the answer is sent.
     */
    PeerConnection resuming;
    /**
     * On the side that offered: the connections we dialled with the offer that wait for the peer's
     * answer. Several dials may carry it (a race of transports); the peer says yes on one.
     */
    final List<PeerConnection> candidates = new ArrayList<>(1);
    /** The handshake hash of the last connection continued here: a later offer naming it is a duplicate. */
    byte[] continuedHash;

    /** True while the peer waits for its broken connection to be continued. */
    boolean awaitsResumption() {
        return broken != null && handle.isOpen();
    }

    PeerEntry(PeerHandle handle) {
        this.handle = handle;
        carriers.add(handle.current());
    }
}
