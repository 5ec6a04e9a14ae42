package io.crust.nat;

import java.io.IOException;
import java.time.Duration;

/**
 * The channel through which two peers swap their {@link PunchOffer}s before punching: a relay,
 * a signalling server, an existing Crust connection, or a test that copies lines between two
 * processes. It must be authentic and confidential: the offer carries the password that keys
 * the connectivity checks, so whoever reads it can answer them.
 */
public interface OfferExchange {

    /**
     * Delivers this side's offer to the other peer.
     *
     * @param mine this side's offer
     * @throws IOException when the channel fails
     */
    void send(PunchOffer mine) throws IOException;

    /**
     * Waits for the other peer's offer.
     *
     * @param timeout how long to wait
     * @return the other peer's offer
     * @throws NatException when none arrives within {@code timeout}
     * @throws IOException  when the channel fails
     */
    PunchOffer receive(Duration timeout) throws IOException;
}
