package io.crust.core.connect;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code connect(PeerId)}: connection info travels through mutually connected peers, then both ends
 * dial each other's candidates, punch UDP ({@link HolePunch}) and punch TCP by simultaneous open
 * ({@link TcpPunch}) at once; if no direct path comes up in time, a relay circuit.
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
    private static final Logger log = LoggerFactory.getLogger(Rendezvous.class);
    private static final int MAX_RENDEZVOUS_PEERS = 16;
    private static final int MAX_PENDING = 256;
    private static final int MAX_ANSWERS = 32;
    private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_NANOS = Duration.ofMillis(200).toNanos();
    /**
     * Per STUN server; gathering ends as soon as the servers answer. Without a reflexive candidate a peer
     * behind a restricting NAT cannot be punched, so a slow answer on a loaded machine must not cost it.
     */
    private static final Duration GATHER_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration MAX_PUNCH = Duration.ofSeconds(10);
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

        /** Starts a named background task owned by the node. */
        void startTask(String name, Runnable task);

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
    }

    private final Host host;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Semaphore answering = new Semaphore(MAX_ANSWERS);
    /** The info of peers we are meeting (asked or answered), to name the route of their inbound dials. */
    private final Map<PeerId, Met> meeting = new ConcurrentHashMap<>();

    private record Met(ConnectionInfo info, long sinceNanos) {
    }

    public Rendezvous(Host host) {
        this.host = host;
    }

    /** Connects to {@code target}; see the class comment. */
    public PeerHandle connect(PeerId target, Duration timeout) throws CrustException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (pending.size() >= MAX_PENDING) {
            throw new CrustException("too many connect(PeerId) calls in progress");
        }
        if (!host.directPathsDisabled() && !awaitHellos()) {
            throw new CrustException("interrupted while connecting to " + target.shortForm());
        }
        long requestId = random.nextLong();
        Pending request = new Pending(target);
        pending.put(requestId, request);
        Optional<HolePunch> punch = host.directPathsDisabled() ? Optional.empty() : gatherPunch();
        Optional<TcpPunch> tcpPunch = host.directPathsDisabled() ? Optional.empty() : reserveTcpPunch();
        boolean punchHandedOver = false;
        try {
            int asked = ask(target, requestId, punch.map(HolePunch::offerText).orElse(""), tcpPunch);
            if (asked == 0) {
                throw new CrustException("cannot reach " + target.shortForm() + ": no connected peer to ask for a rendezvous");
            }
            // Half the time for the direct race, the rest for the relay fallback.
            long directDeadline = System.nanoTime() + (deadline - System.nanoTime()) / 2;
            PeerConnection via = awaitAnswer(request, directDeadline - System.nanoTime());
            if (via == null) {
                throw new CrustException("cannot reach " + target.shortForm() + ": none of the " + asked
                        + " connected peers knows it");
            }
            if (!host.directPathsDisabled()) {
                Attempts attempts = new Attempts();
                race(target, request.info, attempts, remaining(directDeadline));
                tcpPunch.ifPresent(t -> punchTcp(t, request.info, request.tcpPunchPort, target, attempts, remaining(deadline)));
                if (punch.isPresent() && !request.punchOffer.isEmpty()) {
                    HolePunch p = punch.get();
                    String theirs = request.punchOffer;
                    punchHandedOver = true;
                    attempts.started();
                    host.startTask("crust-punch-" + target.shortForm(), () -> {
                        try {
                            punchQuietly(p, theirs, target, remaining(deadline));
                        } finally {
                            attempts.finished();
                        }
                    });
                }
                Optional<PeerHandle> direct = awaitDirect(target, attempts, directDeadline);
                if (direct.isPresent()) {
                    return direct.get();
                }
            }
            return relay(target, via, deadline);
        } finally {
            pending.remove(requestId);
            if (!punchHandedOver) {
                punch.ifPresent(HolePunch::close);
            }
        }
    }

    /** Counts the direct attempts still running, so the relay need not wait for the whole direct budget. */
    private static final class Attempts {
        private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();

        void started() {
            running.incrementAndGet();
        }

        void finished() {
            running.decrementAndGet();
        }

        boolean allFinished() {
            return running.get() == 0;
        }
    }

    /**
     * Dials every candidate at once, each on its own task, for at most {@link #DIAL_TIMEOUT}: a candidate
     * that does not answer by then is a filtered or unroutable address, and the relay should not wait.
     */
    private void race(PeerId target, ConnectionInfo info, Attempts attempts, Duration timeout) {
        Duration perDial = timeout.compareTo(DIAL_TIMEOUT) < 0 ? timeout : DIAL_TIMEOUT;
        List<ConnectionInfo> dials = new ArrayList<>();
        for (int i = 0; i < info.tcpAddresses().size(); i++) {
            dials.add(info.onlyTcp(i));
        }
        for (int i = 0; i < info.udpAddresses().size(); i++) {
            dials.add(info.onlyUdp(i));
        }
        for (ConnectionInfo one : dials) {
            attempts.started();
            host.startTask("crust-dial-" + target.shortForm(), () -> {
                try {
                    dialQuietly(one, routeOf(one), perDial);
                } finally {
                    attempts.finished();
                }
            });
        }
    }

    /** Waits for the peer until the deadline, or until every direct attempt has finished without it. */
    private Optional<PeerHandle> awaitDirect(PeerId target, Attempts attempts, long deadline) throws CrustException {
        while (true) {
            long left = deadline - System.nanoTime();
            Optional<PeerHandle> peer = await(target, Math.max(0, Math.min(left, POLL_NANOS)));
            if (peer.isPresent() || left <= 0) {
                return peer;
            }
            if (attempts.allFinished()) {
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

    private Optional<HolePunch> gatherPunch() {
        return host.udp().flatMap(udp -> HolePunch.gather(udp, GATHER_TIMEOUT));
    }

    private void punchQuietly(HolePunch punch, String theirs, PeerId target, Duration timeout) {
        try (punch) {
            punch.punch(theirs, target, timeout.compareTo(MAX_PUNCH) > 0 ? MAX_PUNCH : timeout);
        } catch (CrustException e) {
            log.debug("punching to {} failed: {}", target.shortForm(), e.getMessage());
        }
    }

    private Optional<TcpPunch> reserveTcpPunch() {
        return host.tcp().flatMap(TcpPunch::reserve);
    }

    /** Starts a TCP simultaneous open towards the peer's port, if it sent one, as one of the direct attempts. */
    private void punchTcp(TcpPunch punch, ConnectionInfo theirs, int theirPort, PeerId target, Attempts attempts,
            Duration timeout) {
        if (theirPort == 0) {
            return;
        }
        Duration window = timeout.compareTo(MAX_PUNCH) > 0 ? MAX_PUNCH : timeout;
        attempts.started();
        host.startTask("crust-tcp-punch-" + target.shortForm(), () -> {
            try {
                punch.punch(theirs, theirPort, target, window);
            } catch (CrustException e) {
                log.debug("TCP punching to {} failed: {}", target.shortForm(), e.getMessage());
            } finally {
                attempts.finished();
            }
        });
    }

    /** Retries the direct race for a peer now reached through a relay (background upgrade). */
    public void retryDirect(PeerId target) {
        if (host.directPathsDisabled()) {
            return;
        }
        long requestId = random.nextLong();
        Pending request = new Pending(target);
        pending.put(requestId, request);
        host.startTask("crust-upgrade-" + target.shortForm(), () -> {
            if (!awaitHellos()) {
                pending.remove(requestId);
                return;
            }
            Optional<HolePunch> punch = gatherPunch();
            Optional<TcpPunch> tcpPunch = reserveTcpPunch();
            try {
                ask(target, requestId, punch.map(HolePunch::offerText).orElse(""), tcpPunch);
                if (awaitAnswer(request, Duration.ofSeconds(10).toNanos()) != null) {
                    race(target, request.info, new Attempts(), Duration.ofSeconds(10));
                    tcpPunch.ifPresent(t -> punchTcp(t, request.info, request.tcpPunchPort, target, new Attempts(),
                            MAX_PUNCH));
                    if (punch.isPresent() && !request.punchOffer.isEmpty()) {
                        punchQuietly(punch.get(), request.punchOffer, target, Duration.ofSeconds(10));
                    }
                }
            } finally {
                pending.remove(requestId);
                punch.ifPresent(HolePunch::close);
            }
        });
    }

    private int ask(PeerId target, long requestId, String punchOffer, Optional<TcpPunch> tcpPunch) {
        WireMessage.Forward forward = new WireMessage.Forward(false, target, new WireMessage.ConnectInfo(false, requestId,
                host.localInfo(), punchOffer, tcpPunch.map(TcpPunch::port).orElse(0)));
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
        if (host.relays(via)) {
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
        throw new CrustException("cannot reach " + target.shortForm() + ": no direct path"
                + (host.directPathsDisabled() ? " (direct paths disabled for testing)" : "")
                + (relays.isEmpty() ? " and no connected peer relays" : "; relays failed: " + String.join("; ", failures)));
    }

    /**
     * The route a one-candidate dial makes: to the peer's own interface, direct; to a port mapping on
     * its router, mapped; to its reflexive address, punched: the peer's NAT lets it in only because
     * the peer dials (or punches) towards us at the same time.
     */
    static Route routeOf(ConnectionInfo one) {
        PeerRecord.Kind kind = one.tcpKinds().isEmpty() ? one.udpKinds().get(0) : one.tcpKinds().get(0);
        return switch (kind) {
            case HOST -> Route.DIRECT;
            case MAPPED -> Route.MAPPED;
            case REFLEXIVE -> Route.PUNCHED;
        };
    }

    private void dialQuietly(ConnectionInfo info, Route route, Duration timeout) {
        try {
            host.dialDirect(info, route, timeout);
        } catch (CrustException e) {
            log.debug("direct dial to {} failed: {}", info.id().shortForm(), e.getMessage());
        }
    }

    /** Handles FORWARD (we are the rendezvous) and FORWARDED (we are an end). */
    public void onForward(PeerConnection from, WireMessage.Forward forward) {
        WireMessage.ConnectInfo inner = forward.inner();
        if (!forward.delivered()) {
            // We are the rendezvous: pass it on only if it speaks for the authenticated sender.
            if (!inner.info().id().equals(from.remote())) {
                log.debug("dropped a CONNECT_INFO from {} that names {}", from.remote().shortForm(), inner.info().id().shortForm());
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
            log.debug("dropped a rendezvous request from {}: too many in progress", origin.shortForm());
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
        long now = System.nanoTime();
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
        if (met == null || System.nanoTime() - met.sinceNanos() > MEETING_MEMORY.toNanos()) {
            return Optional.empty();
        }
        boolean ownInterface = met.info().ipsOf(Set.of(PeerRecord.Kind.HOST)).contains(from.getAddress());
        return Optional.of(ownInterface ? Route.DIRECT : Route.PUNCHED);
    }

    private void answer(PeerConnection via, PeerId origin, WireMessage.ConnectInfo request) {
        boolean direct = !host.directPathsDisabled() && host.connectionTo(origin).isEmpty() && awaitHellos();
        Optional<HolePunch> punch = direct && !request.punchOffer().isEmpty() ? gatherPunch() : Optional.empty();
        Optional<TcpPunch> tcpPunch = direct && request.tcpPunchPort() != 0 ? reserveTcpPunch() : Optional.empty();
        via.sendControl(new WireMessage.Forward(false, origin, new WireMessage.ConnectInfo(true, request.requestId(),
                host.localInfo(), punch.map(HolePunch::offerText).orElse(""), tcpPunch.map(TcpPunch::port).orElse(0))));
        if (!direct) {
            return;
        }
        remember(request.info());
        race(origin, request.info(), new Attempts(), Duration.ofSeconds(10));
        tcpPunch.ifPresent(t -> punchTcp(t, request.info(), request.tcpPunchPort(), origin, new Attempts(), MAX_PUNCH));
        punch.ifPresent(p -> punchQuietly(p, request.punchOffer(), origin, Duration.ofSeconds(10)));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }
}
