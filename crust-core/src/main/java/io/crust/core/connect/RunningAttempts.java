package io.crust.core.connect;

import io.crust.core.PeerId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The direct attempts still running, by peer, so that the application's drop of a peer stops them:
 * otherwise an attempt of the meeting before the drop (a dial, a punch) can still finish and connect
 * the peer again a moment after the application let it go. An entry leaves when its attempts end.
 *
 * <p>Thread-safe: meetings {@link #track} on their threads, the application's drop {@link #cancel}s on its own.
 */
public final class RunningAttempts {
    private final Map<PeerId, Set<DirectAttempts>> byPeer = new ConcurrentHashMap<>();

    /** Keeps {@code attempts} (already started) until they end; returns them. */
    DirectAttempts track(PeerId peer, DirectAttempts attempts) {
        byPeer.computeIfAbsent(peer, p -> ConcurrentHashMap.newKeySet()).add(attempts);
        attempts.whenFinished(() -> byPeer.computeIfPresent(peer, (p, set) -> {
            set.remove(attempts);
            return set.isEmpty() ? null : set;
        }));
        return attempts;
    }

    /** Stops every direct attempt towards {@code peer} that is still running. */
    public void cancel(PeerId peer) {
        Set<DirectAttempts> set = byPeer.remove(peer);
        if (set != null) {
            set.forEach(DirectAttempts::cancel);
        }
    }

    /** Peers with attempts running (for tests). */
    int peers() {
        return byPeer.size();
    }
}
