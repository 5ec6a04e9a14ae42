package io.crust.nat.punch;

import io.crust.nat.DatagramPort;
import io.crust.nat.HolePuncher;
import io.crust.nat.PunchOffer;
import io.crust.nat.PunchResult;
import java.io.IOException;

/** One run of connectivity checks between two offers (body in progress). */
public final class PunchSession {
    private final DatagramPort port;
    private final PunchOffer mine;
    private final PunchOffer theirs;
    private final HolePuncher.Options options;

    public PunchSession(DatagramPort port, PunchOffer mine, PunchOffer theirs, HolePuncher.Options options) {
        this.port = port;
        this.mine = mine;
        this.theirs = theirs;
        this.options = options;
    }

    public PunchResult run() throws IOException {
        throw new UnsupportedOperationException("hole punching lands in the next commit");
    }
}
