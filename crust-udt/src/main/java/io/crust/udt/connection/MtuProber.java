package io.crust.udt.connection;

/**
 * Datagram packetization layer path MTU discovery, after RFC 8899: start at a payload size any path
 * carries (1,200 bytes), send padded probe packets of the next candidate size, and adopt a size once a
 * probe of it is acknowledged. A candidate that fails {@value #MAX_PROBES} times (or that the local
 * stack refuses outright) ends the search. If the connection then stops getting acknowledgements
 * (repeated probe timeouts, sec. 4.3 "black hole detection"), it falls back to the base size.
 */
final class MtuProber {
    static final int MAX_PROBES = 3;
    static final long RESEARCH_DELAY_NANOS = 5_000_000_000L;
    /** IPv6 and IPv4 over Ethernet, jumbo frames, then sizes only loopback and similar links carry. */
    private static final int[] CANDIDATES = {1452, 1472, 8952, 16384, 32768, 65507};

    private final int basePayloadBytes;
    private final int[] candidates;
    private int currentPayloadBytes;
    private int candidateIndex;
    private int failures;
    private long probePacket = -1;
    private boolean searching;
    private long restartSearchNanos;
    /** When to try the failed candidate again after it was lost {@value #MAX_PROBES} times; 0 if not. */
    private long retryNanos;
    /** The size in use when a black hole was last suspected, until a packet of that size is acknowledged; 0 if none. */
    private int beforeBlackHole;

    MtuProber(int basePayloadBytes, int maxPayloadBytes, boolean enabled) {
        this.basePayloadBytes = basePayloadBytes;
        this.currentPayloadBytes = basePayloadBytes;
        this.candidates = java.util.stream.IntStream.concat(
                        java.util.Arrays.stream(CANDIDATES).filter(c -> c > basePayloadBytes && c < maxPayloadBytes),
                        java.util.stream.IntStream.of(maxPayloadBytes).filter(c -> c > basePayloadBytes))
                .toArray();
        this.searching = enabled && candidates.length > 0;
    }

    int currentPayloadBytes() {
        return currentPayloadBytes;
    }

    /** Whether a probe should be sent now. */
    boolean wantsProbe(long nowNanos) {
        if (!searching && restartSearchNanos != 0 && nowNanos >= restartSearchNanos) {
            restartSearchNanos = 0; // after a black hole: search again from the bottom
            candidateIndex = 0;
            failures = 0;
            searching = candidates.length > 0;
        }
        if (!searching && retryNanos != 0 && nowNanos >= retryNanos) {
            retryNanos = 0;
            failures = 0;
            searching = candidateIndex < candidates.length;
        }
        return searching && probePacket < 0;
    }

    /** Size of the next probe. */
    int candidateBytes() {
        return candidates[candidateIndex];
    }

    void onProbeSent(long packetNumber) {
        probePacket = packetNumber;
    }

    boolean isProbe(long packetNumber) {
        return packetNumber == probePacket;
    }

    /** A probe was acknowledged: the path carries its size. Returns the new payload size. */
    int onProbeAcked() {
        currentPayloadBytes = candidateBytes();
        probePacket = -1;
        failures = 0;
        candidateIndex++;
        if (candidateIndex >= candidates.length) {
            searching = false;
        }
        return currentPayloadBytes;
    }

    /**
     * A probe was lost (or refused locally when {@code tooLargeLocally}). A local refusal ends the
     * search for good; {@value #MAX_PROBES} losses end it only until {@value #RESEARCH_DELAY_NANOS} ns
     * from {@code nowNanos}, when the same size is tried again: a probe is lost to congestion as easily
     * as to its size, and a few lost probes during a burst must not keep a path at a small size for
     * good (RFC 8899 sec. 5.1.1 lets the search be raised again later; its PMTU_RAISE_TIMER is for a
     * size found, not for one never confirmed).
     */
    void onProbeLost(boolean tooLargeLocally, long nowNanos) {
        probePacket = -1;
        failures++;
        if (tooLargeLocally) {
            searching = false; // search complete at the current size
        } else if (failures >= MAX_PROBES) {
            searching = false;
            retryNanos = nowNanos + RESEARCH_DELAY_NANOS;
        }
    }

    /**
     * Repeated probe timeouts: assume the path shrank (RFC 8899 sec. 4.3), fall back to the base size
     * and search again after {@value #RESEARCH_DELAY_NANOS} ns (a stall of the peer looks the same as a
     * black hole, and must not cost large datagrams for good). Returns the new size.
     */
    int onBlackHoleSuspected(long nowNanos) {
        beforeBlackHole = currentPayloadBytes;
        searching = false;
        retryNanos = 0;
        probePacket = -1;
        currentPayloadBytes = basePayloadBytes;
        restartSearchNanos = nowNanos + RESEARCH_DELAY_NANOS;
        return currentPayloadBytes;
    }

    /**
     * A data packet of {@code sizeBytes} was acknowledged. One of the size in use before a suspected
     * black hole proves the path still carries it: the probe timeouts came from a stall (a peer or a
     * scheduler busy for a few timeouts looks the same as a black hole), and that size is used again at
     * once instead of after the search delay. On a loaded 2-core machine such stalls put a 1 GiB veth
     * transfer at the base size for most of its packets. Returns the size to use.
     */
    int onPacketAcked(int sizeBytes) {
        if (beforeBlackHole > currentPayloadBytes && sizeBytes >= beforeBlackHole) {
            currentPayloadBytes = beforeBlackHole;
            beforeBlackHole = 0;
            restartSearchNanos = 0;
            failures = 0;
            searching = candidateIndex < candidates.length;
        }
        return currentPayloadBytes;
    }
}
