package io.crust.udt.connection;

import io.crust.udt.packet.DataHeader;
import io.crust.udt.packet.PathFrames;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Following a peer to a new address, after RFC 9000 sec. 8.2 (path validation) and sec. 9.3
 * (responding to migration), without I/O. A NAT that forgets its mapping (a flush, a router restart)
 * gives the peer's next packets a new source port, sometimes a new address; the connection id still
 * names the connection, so its packets reach it, from an address it has never sent to.
 *
 * <pre>
 *   peer (validated)        candidate (the new address)
 *        |  all traffic           |
 *        |  ...                   |  a non-probing packet, the highest-numbered so far
 *        |                        |&lt;------------------------------------------------
 *        |                        |  PATH_CHALLENGE(d1) -------&gt;   (padded, within 3x)
 *        |                        |  ... every timeout/3: PATH_CHALLENGE(d2), (d3)
 *        |                        |&lt;------------------------------ PATH_RESPONSE(d1)
 *        +-------- moves ---------+  peer := candidate
 * </pre>
 *
 * <ul>
 *   <li><b>Traffic stays on the validated address until the new one answers.</b> RFC 9000 moves at
 *       once and falls back if validation fails, which is safe there because QUIC packets are
 *       authenticated. crust-udt packets are not (a 64-bit random connection id is all that ties them
 *       to the connection), so only a PATH_RESPONSE echoing the random data sent to the new address,
 *       and arriving from it, moves the connection: a packet with a spoofed source address causes
 *       at most a few challenges to that address and changes nothing else.</li>
 *   <li><b>No more than three times the bytes received</b> from the new address are sent to it before
 *       it is validated (RFC 9000 sec. 8: "an endpoint MUST NOT send more than three times as many
 *       bytes as the number of bytes it has received"); the counts are kept per address, across
 *       validations of the same address.</li>
 *   <li><b>Only the highest-numbered non-probing packet starts a validation</b> (sec. 9.3), so a
 *       reordered or replayed packet from an old address does not.</li>
 *   <li><b>Abandoned on a timer</b> (sec. 8.2.4: "three times the larger of the current PTO or the PTO
 *       for the new path (using kInitialRtt)"), with a new challenge, new data, at each third of it.
 *       A later packet from the same address starts a new validation.</li>
 *   <li><b>A challenge is answered where it came from</b> (sec. 8.2.2: "A PATH_RESPONSE frame MUST be
 *       sent on the network path where the PATH_CHALLENGE frame was received"), once, in a packet no
 *       larger than the one that carried the challenge.</li>
 * </ul>
 * Not thread-safe; the {@link ConnectionState} that owns it serialises all calls.
 */
final class PathValidator {
    /** Challenges sent per validation: one at the start, one at each third of the timeout. */
    static final int MAX_CHALLENGES = 3;
    static final int AMPLIFICATION_FACTOR = 3;
    /** The smallest datagram that carries a challenge: the DATA header and the frame. */
    static final int MIN_CHALLENGE_DATAGRAM_BYTES = DataHeader.BYTES + PathFrames.BYTES;

    private final RandomGenerator random;
    private InetSocketAddress peer;

    private InetSocketAddress candidate;
    /** The address of the last validation, so that a new one of the same address keeps its byte counts. */
    private InetSocketAddress lastCandidate;
    private long candidateBytesReceived;
    private long candidateBytesSent;
    private final long[] challengeData = new long[MAX_CHALLENGES];
    private int challengesSent;
    private long validationStartNanos;
    private long validationTimeoutNanos;
    private long nextChallengeNanos;

    private InetSocketAddress responseTo;
    private long responseData;

    private long validations;
    private long migrations;

    /**
     * @param peer the address the handshake ran with (validated by it: the handshake's cookie or
     *     ACCEPT came back from there); null if not known, which turns migration off
     */
    PathValidator(InetSocketAddress peer, RandomGenerator random) {
        this.peer = peer;
        this.random = random;
    }

    /** Where every packet goes but challenges and responses: the last validated address. */
    InetSocketAddress peer() {
        return peer;
    }

    /** The address being validated, or null. */
    InetSocketAddress candidate() {
        return candidate;
    }

    /** Validations started and connection moves so far. */
    long validations() {
        return validations;
    }

    long migrations() {
        return migrations;
    }

    /**
     * A packet that the connection accepted arrived from {@code from}, which is not {@link #peer()}.
     *
     * @param bytes the datagram's size (it earns the address three times as much)
     * @param startsValidation it was non-probing and the highest-numbered packet received so far
     * @param timeoutNanos how long the validation may take (see the class comment)
     */
    void onPacketFromElsewhere(InetSocketAddress from, int bytes, boolean startsValidation, long nowNanos,
                               long timeoutNanos) {
        if (peer == null) {
            return;
        }
        if (startsValidation && !from.equals(candidate)) {
            if (candidate != null || !from.equals(lastCandidate)) {
                candidateBytesReceived = 0;
                candidateBytesSent = 0;
            }
            candidate = from;
            lastCandidate = from;
            challengesSent = 0;
            validationStartNanos = nowNanos;
            validationTimeoutNanos = timeoutNanos;
            nextChallengeNanos = nowNanos;
            validations++;
        }
        if (from.equals(candidate)) {
            candidateBytesReceived += bytes;
        }
    }

    /**
     * The highest-numbered non-probing packet came from the validated address after all: the peer is
     * there (the other address was spoofed, or a packet was reordered), so the validation stops.
     */
    void onPeerActive() {
        candidate = null;
    }

    /** A PATH_CHALLENGE arrived from {@code from}: it is answered there once (the latest one). */
    void onChallenge(InetSocketAddress from, long data) {
        responseTo = from;
        responseData = data;
    }

    /**
     * A PATH_RESPONSE arrived from {@code from}. RFC 9000 sec. 8.2.3: "Path validation succeeds when a
     * PATH_RESPONSE frame is received that contains the data that was sent in a previous PATH_CHALLENGE
     * frame."; here it must also come from the address that was challenged.
     *
     * @return true if it validated the candidate, which is now {@link #peer()}
     */
    boolean onResponse(InetSocketAddress from, long data) {
        if (candidate == null || !candidate.equals(from)) {
            return false;
        }
        for (int i = 0; i < challengesSent; i++) {
            if (challengeData[i] == data) {
                peer = candidate;
                candidate = null;
                lastCandidate = null;
                migrations++;
                return true;
            }
        }
        return false;
    }

    /** Abandons a validation whose time is up. */
    void onTimers(long nowNanos) {
        if (candidate != null && nowNanos - validationStartNanos >= validationTimeoutNanos) {
            candidate = null;
        }
    }

    /**
     * When {@link #onTimers} or a challenge of {@code minBytes} is next due, or {@code Long.MAX_VALUE}.
     * A challenge the allowance does not cover is not due: the validation waits for more bytes from
     * the candidate, or for its end.
     */
    long deadlineNanos(int minBytes) {
        if (candidate == null) {
            return Long.MAX_VALUE;
        }
        long end = validationStartNanos + validationTimeoutNanos;
        boolean more = challengesSent < MAX_CHALLENGES && candidateAllowanceBytes() >= minBytes;
        return more ? Math.min(nextChallengeNanos, end) : end;
    }

    // ------------------------------------------------------------ output

    /** Whether a PATH_RESPONSE is owed and may go now. */
    boolean responseDue() {
        return responseTo != null;
    }

    InetSocketAddress responseAddress() {
        return responseTo;
    }

    /** Takes the owed response's data; the caller sends it to {@link #responseAddress()}, {@code bytes} long. */
    long takeResponse(int bytes) {
        onSent(responseTo, bytes);
        responseTo = null;
        return responseData;
    }

    /** Bytes that may still go to the candidate before it is validated. */
    long candidateAllowanceBytes() {
        return Math.max(0, AMPLIFICATION_FACTOR * candidateBytesReceived - candidateBytesSent);
    }

    /** Whether a PATH_CHALLENGE of at least {@code minBytes} should go to the candidate now. */
    boolean challengeDue(long nowNanos, int minBytes) {
        return candidate != null && challengesSent < MAX_CHALLENGES && nowNanos >= nextChallengeNanos
                && candidateAllowanceBytes() >= minBytes;
    }

    /** New random data for a challenge about to be sent to {@link #candidate()}. */
    long nextChallenge(long nowNanos) {
        long data;
        do {
            data = random.nextLong();
        } while (data == 0);
        challengeData[challengesSent++] = data;
        nextChallengeNanos = validationStartNanos + challengesSent * (validationTimeoutNanos / MAX_CHALLENGES);
        return data;
    }

    /** Counts a datagram sent to {@code to} against its allowance if it is the candidate. */
    void onSent(InetSocketAddress to, int bytes) {
        if (to != null && to.equals(candidate)) {
            candidateBytesSent += bytes;
        }
    }

    /** For tests: the data of the challenges sent in the current validation. */
    long[] challengesSentData() {
        return Arrays.copyOf(challengeData, challengesSent);
    }
}
