package io.crust.core.service;

import io.crust.core.PeerId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the group may try a lost member again: at once the first time, then 1 s after a failed try,
 * doubling with each further failure up to 60 s; a success (or the peer coming back by itself) starts
 * the count afresh. Pure: the caller passes the time in (the node's clock).
 *
 * <p>Threads: any (the ticker asks, the group's reconnect tasks report).
 */
final class ReconnectBackoff {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(60);

    private record Wait(long untilNanos, long delayNanos) {
    }

    private final Map<PeerId, Wait> waits = new ConcurrentHashMap<>();

    /** Whether {@code peer} may be tried at {@code nowNanos}. */
    boolean mayTry(PeerId peer, long nowNanos) {
        Wait w = waits.get(peer);
        return w == null || nowNanos - w.untilNanos() >= 0;
    }

    /**
     * A try failed at {@code nowNanos}: the next waits twice as long as the last wait (1 s the first
     * time, at most 60 s).
     *
     * @return how long the next try waits
     */
    Duration failed(PeerId peer, long nowNanos) {
        Wait w = waits.compute(peer, (p, previous) -> {
            long delay = previous == null ? FIRST.toNanos() : Math.min(MAX.toNanos(), previous.delayNanos() * 2);
            return new Wait(nowNanos + delay, delay);
        });
        return Duration.ofNanos(w.delayNanos());
    }

    /** The peer is connected again: its next loss is tried at once. */
    void succeeded(PeerId peer) {
        waits.remove(peer);
    }
}
