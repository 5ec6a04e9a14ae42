package io.crust.core.connect;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.Route;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct paths of one meeting with a peer, in two halves. Our half comes first
 * ({@link #prepare}): a UDP punch offer gathered on the node's socket and a port reserved for TCP
 * punching, which CONNECT_INFO carries to the peer. With the peer's half ({@link #start}) every direct
 * attempt starts at once, each on its own node task: a dial to every candidate, a TCP simultaneous open,
 * UDP hole punching. They run in the background for their own budgets, whether or not a relay answered
 * first: whichever succeeds registers its connection, and the peer table moves the peer's traffic to it.
 * {@code connect(PeerId)}, the background upgrade and the answering side all go through this class.
 *
 * <p>Cancelling: the attempts keep running for their budgets after the peer is connected by another
 * path, so one can connect after the application dropped the peer, which would bring back a peer it
 * had just closed. {@link #cancel} marks the meeting; each attempt runs with its meeting bound to its
 * thread, and the node refuses to register what an attempt of a cancelled meeting connects
 * ({@link #cancelledOnThisThread}). Nothing is interrupted: an interrupt closes the node's shared
 * datagram channel (an {@code InterruptibleChannel}).
 *
 * <p>Threads: {@link #prepare}, {@link #start} and {@link #close} on the meeting's thread;
 * {@link #allFinished}, {@link #awaitAll}, {@link #cancel} and {@link #whenAllFinished} on any thread.
 */
final class DirectAttempts implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectAttempts.class);
    /** A candidate that does not answer by then is a filtered or unroutable address. */
    static final Duration DIAL_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_PUNCH = Duration.ofSeconds(10);
    /**
     * Per STUN server; gathering ends as soon as the servers answer. Without a reflexive candidate a peer
     * behind a restricting NAT cannot be punched, so a slow answer on a loaded machine must not cost it.
     */
    private static final Duration GATHER_TIMEOUT = Duration.ofSeconds(3);

    /**
     * The meeting whose attempt the current thread runs; null on every other thread. Inherited: a dial
     * runs its TCP and crust-udt tries as a {@link Race}, each on a thread of its own. The threads of a
     * registered connection do not inherit it ({@code PeerConnection#start}).
     */
    private static final InheritableThreadLocal<DirectAttempts> RUNNING_ON_THIS_THREAD = new InheritableThreadLocal<>();

    private final Rendezvous.Host host;
    private final PeerId target;
    private volatile boolean cancelled;
    /** When our half was prepared (node clock): before CONNECT_INFO left, so before any connection the meeting makes. */
    private final long preparedNanos;
    private Runnable onAllFinished;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private int running;
    /** Our punch until {@link #start} hands it to its attempt (or closes it), else until {@link #close}. */
    private Optional<HolePunch> punch;
    private final Optional<TcpPunch> tcpPunch;

    private DirectAttempts(Rendezvous.Host host, PeerId target, Optional<HolePunch> punch, Optional<TcpPunch> tcpPunch,
            long preparedNanos) {
        this.host = host;
        this.preparedNanos = preparedNanos;
        this.target = target;
        this.punch = punch;
        this.tcpPunch = tcpPunch;
    }

    /**
     * Our half: gathers a UDP punch offer if {@code udp} (up to {@link #GATHER_TIMEOUT} per STUN server) and
     * reserves a TCP punch port if {@code tcp}, as far as the node's UDP and TCP sides are running.
     *
     * @param nowNanos the node's clock now: the meeting's time, compared with a connection's creation
     */
    static DirectAttempts prepare(Rendezvous.Host host, PeerId target, boolean udp, boolean tcp, long nowNanos) {
        Optional<HolePunch> punch = udp ? host.udp().flatMap(u -> HolePunch.gather(u, GATHER_TIMEOUT)) : Optional.empty();
        Optional<TcpPunch> tcpPunch = tcp ? host.tcp().flatMap(TcpPunch::reserve) : Optional.empty();
        return new DirectAttempts(host, target, punch, tcpPunch, nowNanos);
    }

    /** Our UDP punch offer for CONNECT_INFO, empty if we have none. */
    String punchOffer() {
        return punch.map(HolePunch::offerText).orElse("");
    }

    /** Our TCP punch port for CONNECT_INFO, 0 if we have none. */
    int tcpPunchPort() {
        return tcpPunch.map(TcpPunch::port).orElse(0);
    }

    /**
     * Starts every direct attempt towards the peer's half. Takes over our punch: it is closed when its
     * attempt ends, or at once if the peer sent no punch offer.
     */
    DirectAttempts start(ConnectionInfo theirs, String theirPunchOffer, int theirTcpPort) {
        for (ConnectionInfo one : oneCandidateEach(theirs)) {
            run("crust-dial-" + target.shortForm(), () -> host.dialDirect(one, routeOf(one), DIAL_TIMEOUT));
        }
        if (tcpPunch.isPresent() && theirTcpPort != 0) {
            TcpPunch t = tcpPunch.get();
            run("crust-tcp-punch-" + target.shortForm(), () -> t.punch(theirs, theirTcpPort, target, MAX_PUNCH));
        }
        Optional<HolePunch> ours = punch;
        punch = Optional.empty();
        if (ours.isPresent() && !theirPunchOffer.isEmpty()) {
            HolePunch p = ours.get();
            run("crust-punch-" + target.shortForm(), () -> {
                try (p) {
                    p.punch(theirPunchOffer, target, MAX_PUNCH);
                }
            });
        } else {
            ours.ifPresent(HolePunch::close);
        }
        return this;
    }

    /** Releases our punch if {@link #start} did not take it over. */
    @Override
    public void close() {
        punch.ifPresent(HolePunch::close);
        punch = Optional.empty();
    }

    PeerId target() {
        return target;
    }

    /**
     * The node's clock when {@link #prepare} made our half. The answering side sends CONNECT_INFO
     * before it starts its attempts, and the asker's dial can register there in between: a time taken
     * at {@link #start} would be later than that connection, and a goodbye on it would not cancel them.
     */
    long preparedNanos() {
        return preparedNanos;
    }

    /** Marks the meeting cancelled: what its attempts connect from now on is closed, not registered. */
    void cancel() {
        cancelled = true;
    }

    /** True when the calling thread runs an attempt of a meeting that has been cancelled. */
    static boolean cancelledOnThisThread() {
        DirectAttempts attempts = RUNNING_ON_THIS_THREAD.get();
        return attempts != null && attempts.cancelled;
    }

    /** Runs {@code action} once every attempt has ended (at once if none is running); one action per meeting. */
    void whenAllFinished(Runnable action) {
        lock.lock();
        try {
            if (running > 0) {
                onAllFinished = action;
                return;
            }
        } finally {
            lock.unlock();
        }
        action.run();
    }

    private interface Attempt {
        void run() throws CrustException;
    }

    private void run(String name, Attempt attempt) {
        changeRunning(1);
        boolean started = host.startTask(name, () -> {
            RUNNING_ON_THIS_THREAD.set(this);
            try {
                attempt.run();
            } catch (CrustException e) {
                LOG.debug("{} failed: {}", name, e.getMessage());
            } finally {
                RUNNING_ON_THIS_THREAD.remove();
                changeRunning(-1);
            }
        });
        if (!started) {
            changeRunning(-1);
        }
    }

    private void changeRunning(int by) {
        Runnable action = null;
        lock.lock();
        try {
            running += by;
            finished.signalAll();
            if (running == 0) {
                action = onAllFinished;
                onAllFinished = null;
            }
        } finally {
            lock.unlock();
        }
        if (action != null) {
            action.run();
        }
    }

    boolean allFinished() {
        lock.lock();
        try {
            return running == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every attempt has ended. */
    void awaitAll() throws InterruptedException {
        lock.lock();
        try {
            while (running > 0) {
                finished.await();
            }
        } finally {
            lock.unlock();
        }
    }

    private static List<ConnectionInfo> oneCandidateEach(ConnectionInfo info) {
        List<ConnectionInfo> dials = new ArrayList<>();
        for (int i = 0; i < info.tcpAddresses().size(); i++) {
            dials.add(info.onlyTcp(i));
        }
        for (int i = 0; i < info.udpAddresses().size(); i++) {
            dials.add(info.onlyUdp(i));
        }
        return dials;
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
}
