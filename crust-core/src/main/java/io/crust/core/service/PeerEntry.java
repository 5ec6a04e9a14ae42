package io.crust.core.service;

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

    PeerEntry(PeerHandle handle) {
        this.handle = handle;
        carriers.add(handle.current());
    }
}
