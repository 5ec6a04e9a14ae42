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
 */
public record CloseCause(String reason, Misbehaviour.Kind misbehaviour, PeerLost.Reason lost, boolean quiet) {
    public static CloseCause quiet(String reason) {
        return new CloseCause(reason, null, null, true);
    }

    public static CloseCause lost(PeerLost.Reason lost, String reason) {
        return new CloseCause(reason, null, lost, false);
    }

    public static CloseCause misbehaved(Misbehaviour.Kind kind, String reason) {
        return new CloseCause(reason, kind, PeerLost.Reason.MISBEHAVED, false);
    }
}
