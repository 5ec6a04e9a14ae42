package io.crust.core.service;

import io.crust.core.ConnectFailedException;
import io.crust.core.ConnectFailedException.Reason;
import io.crust.core.CrustException;
import io.crust.core.CrustTimeoutException;
import io.crust.core.HandshakeException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the failure of a connect, often a race of several attempts that each failed their own way,
 * into the one typed failure the public API promises: a {@link CrustTimeoutException} if the time ran
 * out, else a {@link ConnectFailedException} whose reason is the most telling of the attempts' reasons
 * (the earliest in {@link Reason}'s order: a ban says more than an unanswered dial).
 */
final class ConnectFailures {
    /** Handshake failures that mean "the wrong thing answered", not "nothing answered". */
    private static final Set<HandshakeException.Reason> ANSWERED_WRONGLY = EnumSet.of(
            HandshakeException.Reason.WRONG_PEER, HandshakeException.Reason.NETWORK_MISMATCH,
            HandshakeException.Reason.VERSION_MISMATCH, HandshakeException.Reason.AUTHENTICATION_FAILED,
            HandshakeException.Reason.PROTOCOL_VIOLATION);

    private ConnectFailures() {
    }

    /** Throws {@link #typed} of the failure; declared to return one so callers can write {@code throw rethrow(e)}. */
    static RuntimeException rethrow(CrustException failure) throws ConnectFailedException, CrustTimeoutException {
        CrustException typed = typed(failure);
        if (typed instanceof CrustTimeoutException t) {
            throw t;
        }
        throw (ConnectFailedException) typed;
    }

    static CrustException typed(CrustException failure) {
        if (failure instanceof ConnectFailedException || failure instanceof CrustTimeoutException) {
            return failure;
        }
        List<Throwable> attempts = new ArrayList<>();
        attempts.add(failure);
        attempts.addAll(List.of(failure.getSuppressed()));
        Reason best = Reason.UNREACHABLE;
        for (Throwable attempt : attempts) {
            Reason r = reasonOf(attempt);
            if (r.ordinal() < best.ordinal()) {
                best = r;
            }
        }
        return new ConnectFailedException(best, failure.getMessage(), failure);
    }

    /** The reason carried by the first typed exception in the cause chain, else {@link Reason#UNREACHABLE}. */
    private static Reason reasonOf(Throwable attempt) {
        for (Throwable t = attempt; t != null; t = t.getCause()) {
            if (t instanceof ConnectFailedException c) {
                return c.reason();
            }
            if (t instanceof HandshakeException h && ANSWERED_WRONGLY.contains(h.reason())) {
                return Reason.HANDSHAKE_FAILED;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Reason.UNREACHABLE;
    }
}
