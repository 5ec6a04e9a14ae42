package io.crust.nat.gateway;

import java.util.concurrent.TimeUnit;

/**
 * Detects a gateway that lost its mappings (rebooted) from the "seconds since start of epoch" field of its
 * NAT-PMP or PCP answers. Pure: the caller passes the receive time.
 *
 * <p>RFC 6887 section 8.5, which refines RFC 6886 section 3.6: the gateway lost state when its epoch went
 * back by more than one second, or when the time that passed on the gateway and on the client disagree by
 * more than 2 s plus 1/16 (clock rates differ a little):
 * <pre>
 *   client_delta + 2 &lt; server_delta - server_delta / 16   or
 *   server_delta + 2 &lt; client_delta - client_delta / 16
 * </pre>
 * Not thread-safe: one tracker per lease, used by the thread that talks to the gateway.
 */
public final class EpochTracker {
    private boolean seen;
    private long previousEpochSeconds;
    private long previousNanos;

    /** Records an answer; returns true when it shows that the gateway lost state since the previous one. */
    public boolean observe(long epochSeconds, long nowNanos) {
        if (!seen) {
            seen = true;
            previousEpochSeconds = epochSeconds;
            previousNanos = nowNanos;
            return false;
        }
        boolean lost;
        if (epochSeconds < previousEpochSeconds - 1) {
            lost = true;
        } else {
            long serverDelta = epochSeconds - previousEpochSeconds;
            long clientDelta = TimeUnit.NANOSECONDS.toSeconds(nowNanos - previousNanos);
            lost = clientDelta + 2 < serverDelta - serverDelta / 16 || serverDelta + 2 < clientDelta - clientDelta / 16;
        }
        previousEpochSeconds = epochSeconds;
        previousNanos = nowNanos;
        return lost;
    }
}
