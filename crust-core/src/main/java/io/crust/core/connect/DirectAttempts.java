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
 * The direct attempts of one meeting with a peer, all started at once, each on its own node task: a dial
 * to every candidate, a TCP simultaneous open, UDP hole punching. They run in the background for their
 * own budgets, whether or not a relay answered first: whichever succeeds registers its connection, and the
 * peer table moves the peer's traffic to it. This counts the attempts still running.
 */
final class DirectAttempts {
    private static final Logger log = LoggerFactory.getLogger(DirectAttempts.class);
    /** A candidate that does not answer by then is a filtered or unroutable address. */
    static final Duration DIAL_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_PUNCH = Duration.ofSeconds(10);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private int running;

    private DirectAttempts() {
    }

    /**
     * Starts every direct attempt towards {@code target}. Takes over {@code punch}: it is closed when its
     * attempt ends, or at once if the peer sent no punch offer.
     */
    static DirectAttempts start(Rendezvous.Host host, PeerId target, ConnectionInfo theirs, Optional<HolePunch> punch,
            String theirPunchOffer, Optional<TcpPunch> tcpPunch, int theirTcpPort) {
        DirectAttempts attempts = new DirectAttempts();
        for (ConnectionInfo one : oneCandidateEach(theirs)) {
            attempts.run(host, "crust-dial-" + target.shortForm(), () -> host.dialDirect(one, routeOf(one), DIAL_TIMEOUT));
        }
        if (tcpPunch.isPresent() && theirTcpPort != 0) {
            TcpPunch t = tcpPunch.get();
            attempts.run(host, "crust-tcp-punch-" + target.shortForm(), () -> t.punch(theirs, theirTcpPort, target, MAX_PUNCH));
        }
        if (punch.isPresent() && !theirPunchOffer.isEmpty()) {
            HolePunch p = punch.get();
            attempts.run(host, "crust-punch-" + target.shortForm(), () -> {
                try (p) {
                    p.punch(theirPunchOffer, target, MAX_PUNCH);
                }
            });
        } else {
            punch.ifPresent(HolePunch::close);
        }
        return attempts;
    }

    private interface Attempt {
        void run() throws CrustException;
    }

    private void run(Rendezvous.Host host, String name, Attempt attempt) {
        changeRunning(1);
        boolean started = host.startTask(name, () -> {
            try {
                attempt.run();
            } catch (CrustException e) {
                log.debug("{} failed: {}", name, e.getMessage());
            } finally {
                changeRunning(-1);
            }
        });
        if (!started) {
            changeRunning(-1);
        }
    }

    private void changeRunning(int by) {
        lock.lock();
        try {
            running += by;
            finished.signalAll();
        } finally {
            lock.unlock();
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
