package io.crust.core.service;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Slots for handshakes in progress: at most {@code total} at once, and at most {@code perAddress} from
 * one source address, so that one host opening connections and sending nothing cannot hold every slot
 * for the handshake timeout (docs/reliability.md F1). The map holds an entry only per address with a
 * slot taken, so it is bounded by {@code total}.
 */
final class PendingHandshakes {
    /** Why a slot was refused. */
    enum Refusal { NONE, TOTAL, ADDRESS }

    private final int total;
    private final int perAddress;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<InetAddress, Integer> byAddress = new HashMap<>();
    private int taken;

    PendingHandshakes(int total, int perAddress) {
        this.total = total;
        this.perAddress = perAddress;
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
            byAddress.put(source, fromSource + 1);
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
            taken--;
        } finally {
            lock.unlock();
        }
    }
}
