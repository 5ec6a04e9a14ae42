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
     * @return the oldest event not yet taken
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    CrustEvent take() throws InterruptedException;

    /**
     * Waits up to {@code timeout} for the next event.
     *
     * @param timeout how long to wait
     * @return the oldest event not yet taken
     * @throws CrustTimeoutException if no event came within {@code timeout}
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    CrustEvent take(Duration timeout) throws CrustTimeoutException, InterruptedException;

    /** {@return every event waiting now, oldest first, taken without waiting; empty if there is none} */
    List<CrustEvent> drain();
}
