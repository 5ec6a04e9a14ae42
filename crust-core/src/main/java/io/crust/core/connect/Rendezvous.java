package io.crust.core.connect;

import io.crust.core.ConnectFailedException;
import io.crust.core.ConnectionInfo;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.Route;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.wire.WireMessage;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code connect(PeerId)}: connection info travels through mutually connected peers, then both ends
 * dial each other's candidates, punch UDP ({@link HolePunch}) and punch TCP by simultaneous open
 * ({@link TcpPunch}) at once ({@link DirectAttempts}); a relay circuit joins the {@link Race} after a
 * short head start, and the first authenticated connection is returned. Direct attempts that succeed
 * later still register, and the peer's traffic moves to them.
 *
 * <pre>
 *   A                      R (connected to A and B)              B
 *   |-- FORWARD(B, CONNECT_INFO req, A's info) -->|                |
 *   |                      |-- FORWARDED(A, CONNECT_INFO req) ---->|  B starts dialling A
 *   |                      |<-- FORWARD(A, CONNECT_INFO reply) ----|
 *   |<-- FORWARDED(B, CONNECT_INFO reply, B's info) --|            |
 *   |  A starts dialling B; duplicates settle by the peer table's rule
 * </pre>
 * A rendezvous node only passes on a CONNECT_INFO whose info names the authenticated sender, so no
 * one can announce candidates in another peer's name.
 */
public final class Rendezvous {
    private static final Logger LOG = LoggerFactory.getLogger(Rendezvous.class);
    private static final int MAX_RENDEZVOUS_PEERS = 16;
    private static final int MAX_PENDING = 256;
    private static final int MAX_ANSWERS = 32;
    private static final long POLL_NANOS = Duration.ofMillis(200).toNanos();
    /**
     * How long the direct attempts run alone before a relay circuit joins the race (Happy Eyeballs' head
     * start): a punched or dialled path in the lab mostly comes up within it, and a relay after it keeps
     * connect(PeerId) well under a second when no direct path exists.
     */
    static final Duration RELAY_HEAD_START = Duration.ofMillis(300);
    private static final Duration UPGRADE_ANSWER_WAIT = Duration.ofSeconds(10);
    private static final Duration LATE_TARGET_WAIT = Duration.ofSeconds(2);
    private static final Duration MEETING_MEMORY = Duration.ofSeconds(60);
    /**
     * At most this long, a connect or an answer waits for the HELLOs of connections just made (see
     * {@link Host#awaitHellos}); a HELLO follows its handshake by one trip, so it is normally there.
     */
    private static final Duration HELLO_WAIT = Duration.ofSeconds(2);

    /** What the rendezvous needs from its node. */
    public interface Host {
        PeerId self();

        /** The current connection of every connected peer. */
        List<PeerConnection> connections();

        Optional<PeerConnection> connectionTo(PeerId id);

        ConnectionInfo localInfo();

        boolean bans(PeerId id);

        /** True in the test-only mode where direct paths are never tried. */
        boolean directPathsDisabled();

        /** Dials the candidates of {@code info} (expecting {@code info.id()}) on the calling thread, naming the route. */
        PeerHandle dialDirect(ConnectionInfo info, Route route, Duration timeout) throws CrustException;

        /** Starts a named background task owned by the node; false if the node is closing. */
        boolean startTask(String name, Runnable task);

        /** Waits until the peer is connected. */
        Optional<PeerHandle> awaitPeer(PeerId id, Duration timeout) throws InterruptedException;

        /** Whether the peer behind this connection said it relays for others. */
        boolean relays(PeerConnection connection);

        PeerHandle openRelay(PeerConnection relay, PeerId target, Duration timeout) throws CrustException;

        /** The node's UDP side for hole punching, if UDP is running. */
        Optional<HolePunch.Udp> udp();

        /** The node's TCP side for TCP punching (simultaneous open), if TCP is on. */
        Optional<TcpPunch.Tcp> tcp();

        /**
         * Waits, at most {@code timeout}, until every direct connection has delivered its HELLO. A
         * HELLO tells us our address as that peer sees it (our public TCP candidate) and makes the
         * peer a STUN server for hole punching: a connect started right after bootstrapping, before
         * the bootstrap peer's HELLO arrived, would offer no public candidate and end relayed.
         */
        void awaitHellos(Duration timeout) throws InterruptedException;
    }

    private static final class Pending {
        final PeerId target;
        final ReentrantLock lock = new ReentrantLock();
        final Condition answered = lock.newCondition();
        ConnectionInfo info;
        String punchOffer;
        int tcpPunchPort;
        PeerConnection via;

        Pending(PeerId target) {
            this.target = target;
        }

        /** The connection the answer came through, or null while there is none. */
        PeerConnection answeredBy() {
            lock.lock();
            try {
                return via;
            } finally {
                lock.unlock();
            }
        }
    }

    private final Host host;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Semaphore answering = new Semaphore(MAX_ANSWERS);
    /** The info of peers we are meeting (asked or answered), to name the route of their inbound dials. */
    private final Map<PeerId, Met> meeting = new ConcurrentHashMap<>();
    /** Peers a background upgrade is running for. */
    private final Set<PeerId> upgrading = ConcurrentHashMap.newKeySet();
    /** Meetings whose attempts are still running, by peer; each leaves when its last attempt ends. */
    private final Map<PeerId, Set<DirectAttempts>> running = new ConcurrentHashMap<>();

    private final LongSupplier nanoClock;

    private record Met(ConnectionInfo info, long sinceNanos) {
    }

    /**
     * @param nanoClock the node's clock ({@code System::nanoTime}): when meetings were prepared and remembered,
     *        compared with {@link io.crust.core.peer.PeerConnection#createdNanos()}; waits run on real time
     */
    public Rendezvous(Host host, LongSupplier nanoClock) {
        this.host = host;
        this.nanoClock = nanoClock;
    }

    /**
     * Connects to {@code target}; see the class comment. Two attempts race: "direct" gathers our punch
     * offer, asks the connected peers to pass it on, starts the direct attempts once the target answered
     * and waits for the first connection; the relay starts {@link #RELAY_HEAD_START} after it (or at once if
     * "direct" failed), through the peer that answered if it relays, else any that does. Whichever
     * authenticates first is returned. "direct" is never interrupted: it hands its attempts over to the
     * background, and if one succeeds after the relay, the peer table moves the traffic to it
     * ({@code ConnectionUpgraded}). The relay does not wait for our gathering or the target's answer, so a
     * STUN server that does not answer (up to {@link DirectAttempts#prepare}'s gathering timeout) delays only the direct paths.
     */
    public PeerHandle connect(PeerId target, Duration timeout) throws CrustException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (pending.size() >= MAX_PENDING) {
            throw new ConnectFailedException(ConnectFailedException.Reason.LIMIT_REACHED, "too many connect(PeerId) calls in progress");
        }
        Pending request = new Pending(target);
        return new Race<PeerHandle>(target.shortForm())
                .thenToCompletion("direct", Duration.ZERO, established -> {
                    // Our offer is only as good as the addresses peers have told us about (HELLOs of
                    // connections just made); the relay does not wait for them.
                    if (!host.directPathsDisabled() && !awaitHellos()) {
                        throw new CrustException("interrupted while connecting to " + target.shortForm());
                    }
                    Optional<DirectAttempts> attempts = meet(request, deadline);
                    return awaitDirect(target, attempts, deadline).orElseThrow(() -> new CrustException("no direct path"
                            + (host.directPathsDisabled() ? " (direct paths disabled for testing)" : "")));
                })
                .then("relay", RELAY_HEAD_START, established -> relay(target, request.answeredBy(), deadline))
                .run(remaining(deadline));
    }

    /**
     * Gathers our offer, asks every connected peer to pass it to the target, waits for its answer (at most
     * half the time left) and starts the direct attempts; empty when direct paths are disabled.
     */
    private Optional<DirectAttempts> meet(Pending request, long deadline) throws CrustException {
        PeerId target = request.target;
        long requestId = random.nextLong();
        pending.put(requestId, request);
        boolean direct = !host.directPathsDisabled();
        try (DirectAttempts attempts = DirectAttempts.prepare(host, target, direct, direct, nanoClock.getAsLong())) {
            int asked = ask(target, requestId, attempts);
            if (asked == 0) {
                throw new ConnectFailedException(ConnectFailedException.Reason.NO_RENDEZVOUS, "no connected peer to ask for a rendezvous");
            }
            if (awaitAnswer(request, (deadline - System.nanoTime()) / 2) == null) {
                throw new ConnectFailedException(ConnectFailedException.Reason.NO_RENDEZVOUS,
                        "none of the " + asked + " connected peers knows it");
            }
            return direct ? Optional.of(tracked(attempts.start(request.info, request.punchOffer, request.tcpPunchPort)))
                    : Optional.empty();
        } finally {
            pending.remove(requestId);
        }
    }

    /** Waits for the peer until the deadline, or until every direct attempt has finished without it. */
    private Optional<PeerHandle> awaitDirect(PeerId target, Optional<DirectAttempts> attempts, long deadline)
            throws CrustException {
        while (true) {
            long left = deadline - System.nanoTime();
            Optional<PeerHandle> peer = await(target, Math.max(0, Math.min(left, POLL_NANOS)));
            if (peer.isPresent() || left <= 0) {
                return peer;
            }
            if (attempts.map(DirectAttempts::allFinished).orElse(true)) {
                // A connection may still be registering after its dial returned: one last short look.
                return await(target, POLL_NANOS);
            }
        }
    }

    /** {@link Host#awaitHellos} for {@link #HELLO_WAIT}; false if interrupted (the interrupt is kept). */
    private boolean awaitHellos() {
        try {
            host.awaitHellos(HELLO_WAIT);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Tries the direct paths again for a peer now reached through a relay (background upgrade), unless a
     * try for that peer is still running: its attempts end within {@link DirectAttempts#MAX_PUNCH}.
     */
    public void retryDirect(PeerId target) {
        if (host.directPathsDisabled() || !upgrading.add(target)) {
            return;
        }
        long requestId = random.nextLong();
        Pending request = new Pending(target);
        pending.put(requestId, request);
        boolean started = host.startTask("crust-upgrade-" + target.shortForm(), () -> {
            if (!awaitHellos()) {
                pending.remove(requestId);
                upgrading.remove(target);
                return;
            }
            try (DirectAttempts attempts = DirectAttempts.prepare(host, target, true, true, nanoClock.getAsLong())) {
                ask(target, requestId, attempts);
                if (awaitAnswer(request, UPGRADE_ANSWER_WAIT.toNanos()) != null) {
                    tracked(attempts.start(request.info, request.punchOffer, request.tcpPunchPort)).awaitAll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                pending.remove(requestId);
                upgrading.remove(target);
            }
        });
        if (!started) {
            pending.remove(requestId);
            upgrading.remove(target);
        }
    }

    /** Sends our half to every connected peer but the target, for it to pass on; returns how many were asked. */
    private int ask(PeerId target, long requestId, DirectAttempts ours) {
        WireMessage.Forward forward = new WireMessage.Forward(false, target, new WireMessage.ConnectInfo(false, requestId,
                host.localInfo(), ours.punchOffer(), ours.tcpPunchPort()));
        int asked = 0;
        for (PeerConnection c : host.connections()) {
            if (asked >= MAX_RENDEZVOUS_PEERS) {
                break;
            }
            if (!c.remote().equals(target) && c.sendControl(forward)) {
                asked++;
            }
        }
        return asked;
    }

    private PeerConnection awaitAnswer(Pending request, long timeoutNanos) {
        long remaining = timeoutNanos;
        request.lock.lock();
        try {
            while (request.via == null && remaining > 0) {
                remaining = request.answered.awaitNanos(remaining);
            }
            return request.via;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            request.lock.unlock();
        }
    }

    private Optional<PeerHandle> await(PeerId target, long timeoutNanos) throws CrustException {
        try {
            return host.awaitPeer(target, Duration.ofNanos(timeoutNanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrustException("interrupted while connecting to " + target.shortForm());
        }
    }

    private PeerHandle relay(PeerId target, PeerConnection via, long deadline) throws CrustException {
        List<PeerConnection> relays = new ArrayList<>();
        if (via != null && host.relays(via)) {
            relays.add(via);
        }
        for (PeerConnection c : host.connections()) {
            if (c != via && !c.remote().equals(target) && host.relays(c)) {
                relays.add(c);
            }
        }
        List<String> failures = new ArrayList<>();
        for (PeerConnection relay : relays) {
            Optional<PeerHandle> already = host.connectionTo(target).isPresent() ? await(target, 0) : Optional.empty();
            if (already.isPresent()) {
                return already.get();
            }
            Duration left = remaining(deadline);
            if (left.isZero()) {
                break;
            }
            try {
                return host.openRelay(relay, target, left);
            } catch (CrustException e) {
                failures.add(relay.remote().shortForm() + ": " + e.getMessage());
            }
        }
        Optional<PeerHandle> late = await(target, 0);
        if (late.isPresent()) {
            return late.get();
        }
        // The race names the target and the direct attempt's failure.
        if (relays.isEmpty()) {
            throw new ConnectFailedException(ConnectFailedException.Reason.NO_RENDEZVOUS, "no connected peer relays");
        }
        throw new CrustException("relays failed: " + String.join("; ", failures));
    }

    /** Handles FORWARD (we are the rendezvous) and FORWARDED (we are an end). */
    public void onForward(PeerConnection from, WireMessage.Forward forward) {
        WireMessage.ConnectInfo inner = forward.inner();
        if (!forward.delivered()) {
            // We are the rendezvous: pass it on only if it speaks for the authenticated sender.
            if (!inner.info().id().equals(from.remote())) {
                LOG.debug("dropped a CONNECT_INFO from {} that names {}", from.remote().shortForm(), inner.info().id().shortForm());
                return;
            }
            WireMessage.Forward onward = new WireMessage.Forward(true, from.remote(), inner);
            Optional<PeerConnection> to = host.connectionTo(forward.peer());
            if (to.isPresent()) {
                to.get().sendControl(onward);
            } else if (answering.tryAcquire()) {
                // The target may have finished its handshake with us a moment after it told the
                // asker it was connected (the dialler completes first): give it a little time.
                host.startTask("crust-rendezvous-wait-" + forward.peer().shortForm(), () -> {
                    try {
                        forwardWhenConnected(forward.peer(), onward);
                    } finally {
                        answering.release();
                    }
                });
            }
            return;
        }
        PeerId origin = forward.peer();
        if (!inner.info().id().equals(origin) || host.bans(origin) || origin.equals(host.self())) {
            return;
        }
        if (inner.reply()) {
            Pending request = pending.get(inner.requestId());
            if (request != null && request.target.equals(origin)) {
                request.lock.lock();
                try {
                    if (request.via == null) {
                        request.info = inner.info();
                        remember(inner.info());
                        request.punchOffer = inner.punchOffer();
                        request.tcpPunchPort = inner.tcpPunchPort();
                        request.via = from;
                        request.answered.signalAll();
                    }
                } finally {
                    request.lock.unlock();
                }
            }
            return;
        }
        // Gathering our punch offer takes up to a second: answer from a task, not the reader thread.
        if (!answering.tryAcquire()) {
            LOG.debug("dropped a rendezvous request from {}: too many in progress", origin.shortForm());
            return;
        }
        host.startTask("crust-rendezvous-answer-" + origin.shortForm(), () -> {
            try {
                answer(from, origin, inner);
            } finally {
                answering.release();
            }
        });
    }

    private void forwardWhenConnected(PeerId target, WireMessage.Forward onward) {
        try {
            if (host.awaitPeer(target, LATE_TARGET_WAIT).isPresent()) {
                host.connectionTo(target).ifPresent(to -> to.sendControl(onward));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void remember(ConnectionInfo info) {
        long now = nanoClock.getAsLong();
        meeting.values().removeIf(m -> now - m.sinceNanos() > MEETING_MEMORY.toNanos());
        if (meeting.size() < MAX_PENDING) {
            meeting.put(info.id(), new Met(info, now));
        }
    }

    /**
     * The route of a connection {@code peer} dialled to us from {@code from} while we were meeting it
     * through a rendezvous: direct if it came from one of the peer's own interfaces, else punched (it
     * left through the peer's NAT and got into ours because we were dialling and punching towards it
     * at the same time). Empty if we were not meeting that peer.
     */
    public Optional<Route> inboundRoute(PeerId peer, java.net.InetSocketAddress from) {
        Met met = meeting.get(peer);
        if (met == null || nanoClock.getAsLong() - met.sinceNanos() > MEETING_MEMORY.toNanos()) {
            return Optional.empty();
        }
        boolean ownInterface = met.info().ipsOf(Set.of(PeerRecord.Kind.HOST)).contains(from.getAddress());
        return Optional.of(ownInterface ? Route.DIRECT : Route.PUNCHED);
    }

    private void answer(PeerConnection via, PeerId origin, WireMessage.ConnectInfo request) {
        // Also when we hold a relayed connection to the asker: it is looking for a direct path (an upgrade).
        boolean direct = !host.directPathsDisabled()
                && host.connectionTo(origin).map(c -> c.route() == Route.RELAYED).orElse(true) && awaitHellos();
        try (DirectAttempts attempts = DirectAttempts.prepare(host, origin, direct && !request.punchOffer().isEmpty(),
                direct && request.tcpPunchPort() != 0, nanoClock.getAsLong())) {
            via.sendControl(new WireMessage.Forward(false, origin, new WireMessage.ConnectInfo(true, request.requestId(),
                    host.localInfo(), attempts.punchOffer(), attempts.tcpPunchPort())));
            if (!direct) {
                return;
            }
            remember(request.info());
            tracked(attempts.start(request.info(), request.punchOffer(), request.tcpPunchPort()));
        }
    }

    /**
     * True when the calling thread runs a direct attempt of a meeting cancelled by {@link #cancelAttempts}:
     * the node then closes what it connected instead of registering it.
     */
    public static boolean cancelledOnThisThread() {
        return DirectAttempts.cancelledOnThisThread();
    }

    /** Lists a meeting's running attempts under its peer until they have all ended. */
    private DirectAttempts tracked(DirectAttempts attempts) {
        PeerId peer = attempts.target();
        running.computeIfAbsent(peer, p -> ConcurrentHashMap.newKeySet()).add(attempts);
        attempts.whenAllFinished(() -> running.computeIfPresent(peer, (p, set) -> {
            set.remove(attempts);
            return set.isEmpty() ? null : set;
        }));
        return attempts;
    }

    /**
     * Cancels the peer's meetings prepared before {@code preparedBeforeNanos} (see {@link DirectAttempts}):
     * called when the application drops the peer, and when the peer says goodbye on a connection (then
     * with the time that connection was made, so a meeting the peer began afresh since goes on).
     */
    public void cancelAttempts(PeerId peer, long preparedBeforeNanos) {
        Set<DirectAttempts> meetings = running.get(peer);
        if (meetings == null) {
            return;
        }
        for (DirectAttempts attempts : meetings) {
            if (attempts.preparedNanos() - preparedBeforeNanos < 0) {
                attempts.cancel();
            }
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
