package io.crust.core.handshake;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The number an initiator gives each handshake it starts, sent in its identity proof (message 3) so
 * that both ends of the connection know it. Both ends rank two connections dialled by the same side
 * by this number, the larger (the later dial) first, and so agree on the order even when the
 * handshakes finish in a different order at each end.
 *
 * <p>The count starts at the wall clock in microseconds when the class is loaded, so the dials of a
 * restarted process number above those of its earlier life (unless the clock was set back meanwhile,
 * or the earlier life dialled more than a million times a second on average).
 *
 * <p>Threads: any.
 */
final class DialNumbers {
    private static final AtomicLong NEXT = new AtomicLong(Math.max(1, System.currentTimeMillis() * 1000));

    private DialNumbers() {
    }

    /** The next dial's number: positive, larger than every number this process gave before. */
    static long next() {
        return NEXT.getAndIncrement();
    }
}
