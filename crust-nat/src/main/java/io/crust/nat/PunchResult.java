package io.crust.nat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of {@link HolePuncher#punch}: either a working UDP path or a clear "no direct path".
 *
 * @param connected   true when a path was found and both sides agreed on it
 * @param port        the socket the path starts from: the caller's port, or, after birthday
 *                    probing on the symmetric side, a new {@link DatagramChannelPort} that the
 *                    caller now owns and must close; null when not connected
 * @param remote      the peer's address as seen from {@code port}; null when not connected
 * @param remoteType  the kind of candidate {@code remote} was (peer-reflexive when it was learned
 *                    from the checks themselves); null when not connected
 * @param controlling true when this side nominated the path
 * @param elapsed     from the start of checks to the outcome
 * @param probesSent  connectivity checks sent, birthday probes included
 * @param detail      a sentence for logs and for the user: how the path was found, or why not
 */
public record PunchResult(boolean connected, DatagramPort port, InetSocketAddress remote, Candidate.Type remoteType,
        boolean controlling, Duration elapsed, int probesSent, String detail) {

    /**
     * Checks that a connected result has its path.
     *
     * @throws IllegalArgumentException if {@code connected} and {@code port}, {@code remote} or {@code remoteType} is null
     */
    public PunchResult {
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(detail, "detail");
        if (connected && (port == null || remote == null || remoteType == null)) {
            throw new IllegalArgumentException("a connected result needs port, remote and remoteType");
        }
    }

    /**
     * A working path.
     *
     * @param port        the socket the path starts from
     * @param remote      the peer's address as seen from {@code port}
     * @param remoteType  the kind of candidate {@code remote} was
     * @param controlling true when this side nominated the path
     * @param elapsed     from the start of checks to the outcome
     * @param probesSent  connectivity checks sent
     * @param detail      how the path was found
     * @return a connected result
     */
    public static PunchResult connected(DatagramPort port, InetSocketAddress remote, Candidate.Type remoteType,
            boolean controlling, Duration elapsed, int probesSent, String detail) {
        return new PunchResult(true, port, remote, remoteType, controlling, elapsed, probesSent, detail);
    }

    /**
     * No path: the checks ran out of time, or both NATs map per destination.
     *
     * @param controlling true when this side was the controlling one
     * @param elapsed     from the start of checks to the outcome
     * @param probesSent  connectivity checks sent
     * @param detail      why no path was found
     * @return a result that is not connected
     */
    public static PunchResult noDirectPath(boolean controlling, Duration elapsed, int probesSent, String detail) {
        return new PunchResult(false, null, null, null, controlling, elapsed, probesSent, detail);
    }
}
