package io.crust.nat.punch;

import io.crust.nat.Candidate;
import io.crust.nat.PunchOptions;
import io.crust.nat.PunchOffer;
import io.crust.nat.stun.StunMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The hole-punching state machine, without sockets or clocks: {@link #poll} says what to send
 * at {@code nowNanos}, {@link #onDatagram} digests what arrived, {@link #outcome} tells when it
 * is over. Socket 0 is the caller's port; sockets 1..K are the extra ports of the birthday method
 * on a symmetric side.
 *
 * <pre>
 * controlling A                                          controlled B
 *   |-- check (pair 1) ------------X  (B's NAT drops: B never sent to A)
 *   |                      X<------------ check (pair 1) --|   (A's NAT drops, or lets it in)
 *   |-- check (pair 1, retransmitted) ---------------------->|  B's NAT now has a binding for A
 *   |<-------------------------------------------- answer ----|
 *   |-- check + USE-CANDIDATE (nominate pair 1) ------------->|  B selects pair 1
 *   |<-------------------------------------------- answer ----|  A selects pair 1
 * </pre>
 */
final class PunchAgent {
    /** One datagram to send from socket {@code socket}. */
    record Send(int socket, InetSocketAddress to, ByteBuffer bytes) {
    }

    /** The end: {@code remote} reached from {@code socket}, or a failure {@code reason}. */
    record Outcome(boolean connected, int socket, InetSocketAddress remote, Candidate.Type remoteType, String reason) {
    }

    private enum State { WAITING, IN_PROGRESS, SUCCEEDED }

    private static final class Pair {
        final int socket;
        final InetSocketAddress remote;
        final Candidate.Type remoteType;
        final long priority;
        final byte[] transaction = StunMessage.newTransactionId();
        State state = State.WAITING;

        Pair(int socket, InetSocketAddress remote, Candidate.Type remoteType, long priority) {
            this.socket = socket;
            this.remote = remote;
            this.remoteType = remoteType;
            this.priority = priority;
        }
    }

    /** Retransmission interval of the nominating check. */
    private static final long NOMINATION_INTERVAL_NANOS = 50_000_000L;
    /** The most birthday datagrams one poll sends to catch up with the clock. */
    private static final int MAX_BURST = 32;
    /** Interval at which a birthday socket repeats its opener. */
    private static final long OPENER_INTERVAL_NANOS = 1_000_000_000L;

    private final CheckMessages messages;
    private final boolean controlling;
    private final long myPriority;
    private final long paceNanos;
    private final long birthdayPaceNanos;
    private final long deadlineNanos;
    private final long startNanos;
    private final int birthdaySockets;
    private final int sprayBudget;
    private final int sprayLowPort;
    private final int sprayHighPort;
    private final RandomGenerator random;
    private final List<Pair> pairs = new ArrayList<>();
    private final Map<String, Pair> byTransaction = new HashMap<>();
    private final List<Pair> triggered = new ArrayList<>();
    private final List<InetAddress> sprayTargets = new ArrayList<>();
    private final Set<Integer> sprayed = new HashSet<>();
    private final Map<String, InetSocketAddress> sprayTransactions = new HashMap<>();
    private final boolean bothSymmetric;
    private int nextPair;
    private long nextCheckNanos;
    private long nextOpenerNanos;
    private int nextOpener;
    private long nextSprayNanos;
    private Pair nominated;
    private byte[] nominationTransaction;
    private long nextNominationNanos;
    private Outcome outcome;
    private int probesSent;

    /**
     * @param birthdaySockets extra sockets on this side (a symmetric side facing a cone side), or 0
     * @param sprayLowPort    lowest port the cone side guesses (1024 in use; tests narrow it)
     */
    PunchAgent(PunchOffer mine, PunchOffer theirs, PunchOptions options, int birthdaySockets,
            int sprayLowPort, int sprayHighPort, RandomGenerator random, long nowNanos) {
        this.controlling = Long.compareUnsigned(mine.tieBreaker(), theirs.tieBreaker()) > 0
                || (mine.tieBreaker() == theirs.tieBreaker() && mine.ufrag().compareTo(theirs.ufrag()) > 0);
        this.messages = new CheckMessages(mine, theirs, controlling);
        this.myPriority = Candidate.priorityOf(Candidate.Type.PEER_REFLEXIVE, 65535);
        this.paceNanos = options.pacing().toNanos();
        this.birthdayPaceNanos = Math.max(1, options.birthdayPacing().toNanos());
        this.bothSymmetric = mine.endpointDependentMapping() && theirs.endpointDependentMapping();
        this.deadlineNanos = nowNanos + (bothSymmetric
                ? Math.min(options.timeout().toNanos(), options.bothSymmetricWindow().toNanos())
                : options.timeout().toNanos());
        this.startNanos = nowNanos;
        this.birthdaySockets = birthdaySockets;
        boolean coneFacingSymmetric = !mine.endpointDependentMapping() && theirs.endpointDependentMapping();
        this.sprayBudget = coneFacingSymmetric ? options.birthdayProbes() : 0;
        this.sprayLowPort = sprayLowPort;
        this.sprayHighPort = sprayHighPort;
        this.random = random;
        for (Candidate c : theirs.candidates()) {
            addPair(0, c.address(), c.type(), c.priority());
            if (coneFacingSymmetric && c.type() != Candidate.Type.HOST
                    && !sprayTargets.contains(c.address().getAddress())) {
                sprayTargets.add(c.address().getAddress());
            }
        }
        for (int s = 1; s <= birthdaySockets; s++) {
            for (Candidate c : theirs.candidates()) {
                if (c.type() != Candidate.Type.HOST) {
                    addPair(s, c.address(), c.type(), c.priority());
                }
            }
        }
        this.nextCheckNanos = nowNanos;
        this.nextOpenerNanos = nowNanos;
        this.nextSprayNanos = nowNanos;
    }

    boolean controlling() {
        return controlling;
    }

    int probesSent() {
        return probesSent;
    }

    Outcome outcome() {
        return outcome;
    }

    long elapsedNanos(long nowNanos) {
        return nowNanos - startNanos;
    }

    /** What to send at {@code nowNanos}; also decides the timeout. */
    List<Send> poll(long nowNanos) {
        List<Send> out = new ArrayList<>();
        if (outcome != null) {
            return out;
        }
        if (nowNanos - deadlineNanos >= 0) {
            outcome = new Outcome(false, -1, null, null, failureReason());
            return out;
        }
        while (!triggered.isEmpty()) {
            Pair p = triggered.remove(0);
            if (p.state != State.SUCCEEDED) {
                out.add(check(p, false));
            }
        }
        if (nominated != null && nowNanos - nextNominationNanos >= 0) {
            out.add(new Send(nominated.socket, nominated.remote, messages.check(nominationTransaction, myPriority, true)));
            probesSent++;
            nextNominationNanos = nowNanos + NOMINATION_INTERVAL_NANOS;
        }
        if (nowNanos - nextCheckNanos >= 0) {
            Pair p = nextOrdinary();
            if (p != null) {
                out.add(check(p, false));
            }
            nextCheckNanos = nowNanos + paceNanos;
        }
        // Birthday traffic is paced by the clock, not by how often poll runs: a late poll (a busy
        // machine wakes a timed wait late) sends what fell due meanwhile, up to a small burst.
        for (int burst = 0; birthdaySockets > 0 && nowNanos - nextOpenerNanos >= 0 && burst < MAX_BURST; burst++) {
            Pair p = nextOpener();
            if (p == null) {
                break;
            }
            out.add(check(p, false));
            nextOpenerNanos += nextOpener == 0 ? OPENER_INTERVAL_NANOS : birthdayPaceNanos;
        }
        if (nowNanos - nextOpenerNanos >= 0) {
            nextOpenerNanos = nowNanos + birthdayPaceNanos;
        }
        for (int burst = 0; sprayed.size() < sprayBudget && !sprayTargets.isEmpty()
                && nowNanos - nextSprayNanos >= 0 && burst < MAX_BURST; burst++) {
            out.add(spray());
            nextSprayNanos += birthdayPaceNanos;
        }
        if (nowNanos - nextSprayNanos >= 0) {
            nextSprayNanos = nowNanos + birthdayPaceNanos;
        }
        return out;
    }

    /** When {@link #poll} next has something to do. */
    long nextWakeNanos() {
        long next = Math.min(nextCheckNanos, deadlineNanos);
        if (nominated != null) {
            next = Math.min(next, nextNominationNanos);
        }
        if (birthdaySockets > 0) {
            next = Math.min(next, nextOpenerNanos);
        }
        if (sprayed.size() < sprayBudget && !sprayTargets.isEmpty()) {
            next = Math.min(next, nextSprayNanos);
        }
        return triggered.isEmpty() ? next : Long.MIN_VALUE;
    }

    /**
     * Digests a datagram that arrived on {@code socket} from {@code from}. Answers to authentic
     * checks are returned at once (also after the outcome, while the caller lingers).
     */
    List<Send> onDatagram(int socket, ByteBuffer data, InetSocketAddress from, long nowNanos) {
        List<Send> out = new ArrayList<>();
        CheckMessages.Incoming in = messages.classify(data);
        if (in instanceof CheckMessages.Request r) {
            out.add(new Send(socket, from, messages.answer(r.transaction(), from)));
            if (outcome != null) {
                return out;
            }
            Pair p = pairFor(socket, from);
            if (p == null) {
                p = addPair(socket, from, Candidate.Type.PEER_REFLEXIVE, myPriority);
            }
            if (r.useCandidate() && !controlling) {
                // RFC 8445 sec. 7.3.1.5: "If the controlled agent receives a Binding request with the USE-CANDIDATE
                // attribute set, and if the ICE agent accepts the request", and the pair's state is Succeeded, "The agent
                // sets the nominated flag value of the valid pair to true." Here the pair is selected whatever its own state.
                // The controlling side nominates only pairs its own check validated both ways.
                outcome = new Outcome(true, socket, from, p.remoteType, "nominated by the peer");
                return out;
            }
            if (p.state != State.SUCCEEDED) {
                triggered.add(p);
            }
        } else if (in instanceof CheckMessages.Response r && outcome == null) {
            onResponse(socket, from, r.transaction(), nowNanos);
        }
        return out;
    }

    private void onResponse(int socket, InetSocketAddress from, byte[] transaction, long nowNanos) {
        String key = HexFormat.of().formatHex(transaction);
        // RFC 8445 sec. 7.2.5.3.4: "If the controlling agent sends a Binding request with the USE-CANDIDATE attribute
        // set, and if the ICE agent receives a successful response to the request, the agent sets the nominated flag of
        // the pair to true."
        if (nominated != null && java.util.Arrays.equals(transaction, nominationTransaction)) {
            outcome = new Outcome(true, nominated.socket, nominated.remote, nominated.remoteType, "nominated");
            return;
        }
        Pair p = byTransaction.get(key);
        InetSocketAddress sprayTarget = sprayTransactions.get(key);
        if (p == null && sprayTarget != null && sprayTarget.equals(from) && socket == 0) {
            p = pairFor(0, from);
            if (p == null) {
                p = addPair(0, from, Candidate.Type.PEER_REFLEXIVE, myPriority);
            }
        }
        // RFC 8445 section 7.2.5.2.1: the answer must come from where the check went.
        if (p == null || p.socket != socket || !p.remote.equals(from)) {
            return;
        }
        p.state = State.SUCCEEDED;
        // RFC 8445 sec. 8.1.1: "Once the controlling agent has picked a valid pair for nomination, it repeats the
        // connectivity check that produced this valid pair [...], this time with the USE-CANDIDATE attribute", and "the
        // agent MUST eventually pick one and only one candidate pair". Here the first pair validated is picked.
        if (controlling && nominated == null) {
            nominated = p;
            nominationTransaction = StunMessage.newTransactionId();
            nextNominationNanos = nowNanos;
        }
    }

    private Send check(Pair p, boolean useCandidate) {
        p.state = p.state == State.WAITING ? State.IN_PROGRESS : p.state;
        probesSent++;
        return new Send(p.socket, p.remote, messages.check(p.transaction, myPriority, useCandidate));
    }

    private Send spray() {
        InetAddress ip = sprayTargets.get(sprayed.size() % sprayTargets.size());
        int span = sprayHighPort - sprayLowPort + 1;
        int port;
        do {
            port = sprayLowPort + random.nextInt(span);
        } while (sprayed.contains(port) && sprayed.size() < span);
        sprayed.add(port);
        InetSocketAddress target = new InetSocketAddress(ip, port);
        byte[] transaction = StunMessage.newTransactionId();
        sprayTransactions.put(HexFormat.of().formatHex(transaction), target);
        probesSent++;
        return new Send(0, target, messages.check(transaction, myPriority, false));
    }

    /** Round-robin over socket-0 pairs not yet succeeded, best priority first in each round. */
    private Pair nextOrdinary() {
        List<Pair> ordinary = pairs.stream().filter(p -> p.socket == 0 && p.state != State.SUCCEEDED).toList();
        if (ordinary.isEmpty()) {
            return null;
        }
        nextPair = nextPair % ordinary.size();
        return ordinary.get(nextPair++);
    }

    private Pair nextOpener() {
        List<Pair> openers = pairs.stream().filter(p -> p.socket > 0 && p.state != State.SUCCEEDED).toList();
        if (openers.isEmpty()) {
            return null;
        }
        nextOpener = nextOpener % openers.size();
        Pair p = openers.get(nextOpener);
        nextOpener = (nextOpener + 1) % openers.size();
        return p;
    }

    private Pair pairFor(int socket, InetSocketAddress remote) {
        for (Pair p : pairs) {
            if (p.socket == socket && p.remote.equals(remote)) {
                return p;
            }
        }
        return null;
    }

    private Pair addPair(int socket, InetSocketAddress remote, Candidate.Type type, long priority) {
        Pair existing = pairFor(socket, remote);
        if (existing != null) {
            return existing;
        }
        Pair p = new Pair(socket, remote, type, priority);
        int i = 0;
        while (i < pairs.size() && pairs.get(i).priority >= priority) {
            i++;
        }
        pairs.add(i, p);
        byTransaction.put(HexFormat.of().formatHex(p.transaction), p);
        return p;
    }

    private String failureReason() {
        boolean anySucceeded = pairs.stream().anyMatch(p -> p.state == State.SUCCEEDED);
        String base = "no direct path: ";
        if (bothSymmetric) {
            return base + "both peers are behind NATs with endpoint-dependent (symmetric) mapping, so neither"
                    + " reflexive address carries over and port guessing cannot meet; no host candidate answered";
        }
        if (anySucceeded) {
            return base + "checks succeeded but " + (controlling ? "the peer did not confirm the nomination"
                    : "the peer never nominated a pair");
        }
        return base + "no candidate pair answered (" + probesSent + " checks"
                + (sprayBudget > 0 ? ", birthday probes included" : "") + ")";
    }
}
