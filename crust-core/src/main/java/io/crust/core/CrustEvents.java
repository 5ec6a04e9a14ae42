package io.crust.core;

import java.time.Duration;
import java.util.List;

/**
 * The in-order stream of a node's events: a bounded queue of {@link CrustConfig#eventQueueCapacity()}
 * events (see {@link CrustEvent} for what happens when it is full). One consumer at a time is the
 * intended use; several consumers each get a different share of the events.
 */
public interface CrustEvents {
    /**
     * Waits for the next event.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    CrustEvent take() throws InterruptedException;

    /**
     * Waits up to {@code timeout} for the next event.
     *
     * @throws CrustTimeoutException if no event came within {@code timeout}
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    CrustEvent take(Duration timeout) throws CrustTimeoutException, InterruptedException;

    /** Takes every event waiting now, oldest first, without waiting; empty if there is none. */
    List<CrustEvent> drain();
}
