package io.crust.nat.gateway;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When a mapping is renewed and when it is checked in between. Pure: every method takes the time, so
 * tests drive it with a manual clock; {@link RenewingMapping} runs it on its thread.
 *
 * <ul>
 *   <li><b>Renew</b> at the grant's {@code renewIn} (half the lifetime for NAT-PMP and PCP, three quarters
 *       for UPnP; never for a permanent lease). A failed renewal is retried after 1 s, doubling up to 60 s.
 *   <li><b>Check</b> every check interval between renewals: a cheap question whose answer shows whether the
 *       gateway still holds the mapping (the epoch for NAT-PMP and PCP, the mapping itself for UPnP). When it
 *       does not, the renewal is due at once. A check that gets no answer is tried again an interval later;
 *       it does not count as a lost mapping (the gateway may be busy rebooting, and the next answer tells).
 *   <li>A restart <b>announcement</b> makes the renewal due now (also while renewals are failing: the
 *       gateway says it is back), but never sooner than {@link #MIN_ANNOUNCED_GAP} after the previous
 *       announcement: anyone on the LAN can forge one, and a forged one costs one renewal a second at most.
 *       It renews rather than checks because the epoch cannot tell two restarts a second or two apart
 *       (RFC 6887 section 8.5 tolerates 2 s), while the renewal re-creates the mapping in any case.
 * </ul>
 * While renewals are failing no checks are made: the retries are already asking the gateway.
 *
 * <p>Not thread-safe: owned by one mapping's thread (announcements reach it under that mapping's lock).
 */
public final class MappingSchedule {
    /** What is due. */
    public enum Action { RENEW, CHECK, NOTHING }

    /** The least time between two renewals caused by announcements when they arrive faster. */
    public static final Duration MIN_ANNOUNCED_GAP = Duration.ofSeconds(1);

    static final long MIN_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final long NEVER = Long.MAX_VALUE;

    private final long checkIntervalNanos;
    /** Deadlines as nanoTime readings, or NEVER; compared by difference so that nanoTime may wrap. */
    private long renewAtNanos;
    private long checkAtNanos;
    private long lastAnnouncedNanos;
    private boolean announcedOnce;
    private long retryNanos = MIN_RETRY_NANOS;

    /**
     * @param checkInterval how often to check between renewals; zero for never
     * @param firstRenewIn the first grant's {@code renewIn}; zero for never (permanent lease)
     * @param nowNanos when that grant arrived
     */
    public MappingSchedule(Duration checkInterval, Duration firstRenewIn, long nowNanos) {
        if (checkInterval.isNegative()) {
            throw new IllegalArgumentException("check interval must not be negative: " + checkInterval);
        }
        this.checkIntervalNanos = checkInterval.toNanos();
        granted(firstRenewIn, nowNanos);
    }

    /** A (re)mapping succeeded; {@code renewIn} zero means the lease is permanent. */
    public void granted(Duration renewIn, long nowNanos) {
        renewAtNanos = renewIn.isZero() ? NEVER : nowNanos + renewIn.toNanos();
        checkAtNanos = nextCheck(nowNanos);
        retryNanos = MIN_RETRY_NANOS;
    }

    /** A (re)mapping failed: retry after the current back-off, and check nothing meanwhile. */
    public void renewalFailed(long nowNanos) {
        renewAtNanos = nowNanos + retryNanos;
        retryNanos = Math.min(MAX_RETRY_NANOS, retryNanos * 2);
        checkAtNanos = NEVER;
    }

    /** A check was answered: {@code stillMapped} false makes the renewal due now. */
    public void checked(boolean stillMapped, long nowNanos) {
        if (stillMapped) {
            checkAtNanos = nextCheck(nowNanos);
        } else {
            renewAtNanos = nowNanos;
            checkAtNanos = NEVER;
        }
    }

    /** A check got no usable answer: try again an interval later; the renewal stays where it was. */
    public void checkFailed(long nowNanos) {
        checkAtNanos = nextCheck(nowNanos);
    }

    /**
     * The gateway announced a restart: renew now, or {@link #MIN_ANNOUNCED_GAP} after the previous
     * announcement if that was more recent.
     */
    public void announced(long nowNanos) {
        if (announcedOnce && lastAnnouncedNanos - nowNanos > 0) {
            return; // a renewal for an earlier announcement is still to come: it answers this one too
        }
        long at = nowNanos;
        long gapEnd = lastAnnouncedNanos + MIN_ANNOUNCED_GAP.toNanos();
        if (announcedOnce && at - gapEnd < 0) {
            at = gapEnd;
        }
        announcedOnce = true;
        lastAnnouncedNanos = at;
        if (renewAtNanos == NEVER || at - renewAtNanos < 0) {
            renewAtNanos = at;
        }
    }

    /** What to do at {@code nowNanos}; a due renewal comes before a due check. */
    public Action due(long nowNanos) {
        if (renewAtNanos != NEVER && nowNanos - renewAtNanos >= 0) {
            return Action.RENEW;
        }
        if (checkAtNanos != NEVER && nowNanos - checkAtNanos >= 0) {
            return Action.CHECK;
        }
        return Action.NOTHING;
    }

    /** How long to wait from {@code nowNanos} until something is due: 0 if now, {@link Long#MAX_VALUE} if never. */
    public long waitNanos(long nowNanos) {
        long wait = NEVER;
        for (long at : new long[] {renewAtNanos, checkAtNanos}) {
            if (at != NEVER) {
                wait = Math.min(wait, Math.max(0, at - nowNanos));
            }
        }
        return wait;
    }

    private long nextCheck(long nowNanos) {
        return checkIntervalNanos == 0 ? NEVER : nowNanos + checkIntervalNanos;
    }
}
