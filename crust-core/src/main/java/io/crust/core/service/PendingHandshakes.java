package io.crust.core.service;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Slots for handshakes in progress: at most {@code total} at once, at most {@code perAddress} from
 * one source address and at most {@code perPrefix} from one {@link SourcePrefix}, so that one host,
 * or a crowd of addresses from one network, opening connections and sending nothing cannot hold
 * every slot for the handshake timeout (docs/reliability.md F1). The maps hold an entry only per
 * address or prefix with a slot taken, so they are bounded by {@code total}.
 */
final class PendingHandshakes {
    /** Why a slot was refused. */
    enum Refusal { NONE, TOTAL, ADDRESS, PREFIX }

    private final int total;
    private final int perAddress;
    private final int perPrefix;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<InetAddress, Integer> byAddress = new HashMap<>();
    private final Map<Long, Integer> byPrefix = new HashMap<>();
    private int taken;

    PendingHandshakes(int total, int perAddress, int perPrefix) {
        this.total = total;
        this.perAddress = perAddress;
        this.perPrefix = perPrefix;
    }

    /** Takes a slot for {@code source}; {@link Refusal#NONE} if it got one (give it back with {@link #release}). */
    Refusal acquire(InetAddress source) {
        lock.lock();
        try {
            if (taken >= total) {
                return Refusal.TOTAL;
            }
            int fromSource = byAddress.getOrDefault(source, 0);
            if (fromSource >= perAddress) {
                return Refusal.ADDRESS;
            }
            long prefix = SourcePrefix.of(source);
            int fromPrefix = byPrefix.getOrDefault(prefix, 0);
            if (fromPrefix >= perPrefix) {
                return Refusal.PREFIX;
            }
            byAddress.put(source, fromSource + 1);
            byPrefix.put(prefix, fromPrefix + 1);
            taken++;
            return Refusal.NONE;
        } finally {
            lock.unlock();
        }
    }

    void release(InetAddress source) {
        lock.lock();
        try {
            Integer fromSource = byAddress.get(source);
            if (fromSource == null) {
                return;
            }
            if (fromSource <= 1) {
                byAddress.remove(source);
            } else {
                byAddress.put(source, fromSource - 1);
            }
            byPrefix.computeIfPresent(SourcePrefix.of(source), (prefix, n) -> n <= 1 ? null : n - 1);
            taken--;
        } finally {
            lock.unlock();
        }
    }
}
