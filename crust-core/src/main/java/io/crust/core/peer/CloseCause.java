package io.crust.core.peer;

import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustEvent.PeerLost;

/**
 * Why a connection ended.
 *
 * @param reason for a person, used in {@code PeerLost}
 * @param misbehaviour set when the remote side broke a rule
 * @param lost the reason a {@code PeerLost} reports; null when {@code quiet}
 * @param quiet true when this node ended it on purpose (user close, duplicate retired, shutdown):
 *     no {@code PeerLost} is reported for it
 * @param resumed true when a new connection continues this one (resumption, see
 *     docs/connection-group.md): quiet, and the peer is not told (it gave this connection up first)
 */
public record CloseCause(String reason, Misbehaviour.Kind misbehaviour, PeerLost.Reason lost, boolean quiet, boolean resumed) {
    public static CloseCause quiet(String reason) {
        return new CloseCause(reason, null, null, true, false);
    }

    public static CloseCause lost(PeerLost.Reason lost, String reason) {
        return new CloseCause(reason, null, lost, false, false);
    }

    public static CloseCause misbehaved(Misbehaviour.Kind kind, String reason) {
        return new CloseCause(reason, kind, PeerLost.Reason.MISBEHAVED, false, false);
    }

    /** A new connection of the peer continues this one (see {@link #resumed()}). */
    public static CloseCause resumed(String reason) {
        return new CloseCause(reason, null, null, true, true);
    }

    /**
     * True when a new connection may continue the ended one: it broke or fell silent. Not after a
     * goodbye, misbehaviour, ban or eviction: those ends are meant.
     */
    public boolean breaksWithoutIntent() {
        return lost == PeerLost.Reason.CONNECTION_LOST || lost == PeerLost.Reason.HEARTBEAT_TIMEOUT;
    }
}
