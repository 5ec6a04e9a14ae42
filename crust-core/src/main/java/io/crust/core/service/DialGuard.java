package io.crust.core.service;

import io.crust.core.ConnectFailedException;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most one handshake at a time that this node dials to one peer over one kind of path (a transport,
 * relayed or not), and none while such a connection of ours to that peer is live.
 *
 * <p>Why: two connections of one kind dialled by the same side at once are one too many: the
 * handshake, the threads and the settling of the duplicate cost both ends, and the second is retired
 * as soon as it registers. Seen in the NAT lab when a relayed peer's path opened and several
 * background attempts succeeded within milliseconds. (Their order is safe: {@link ConnectionRanking}
 * compares the initiator's dial numbers, the same at both ends.) Dialled one after the other, the
 * second finds the first registered and is not made at all.
 *
 * <p>Threads: any dialling thread; the locks are a fixed set of stripes, so the guard never grows.
 */
final class DialGuard {
    private static final Logger LOG = LoggerFactory.getLogger(DialGuard.class);
    private static final int STRIPES = 64;

    private final PeerId self;
    private final PeerTable table;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    DialGuard(PeerId self, PeerTable table) {
        this.self = self;
        this.table = table;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** A handshake that registers its connection and returns the peer's handle. */
    @FunctionalInterface
    interface Handshake {
        PeerHandle run() throws CrustException;
    }

    /**
     * Runs {@code handshake} towards {@code peer} once no other of this kind runs (waiting at most
     * {@code wait}, then running anyway: a stalled handshake must not hold up every later dial), unless
     * a connection of this kind that we dialled is live by then: then {@code unused} is called (it closes
     * the transport) and the peer's handle returned.
     */
    PeerHandle oneAtATime(PeerId peer, Transport transport, Route route, Duration wait, Runnable unused,
            Handshake handshake) throws CrustException {
        ReentrantLock lock = lockFor(peer, transport, route);
        boolean locked;
        try {
            locked = lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unused.run();
            throw new ConnectFailedException(ConnectFailedException.Reason.INTERRUPTED,
                    "interrupted before the handshake with " + peer.shortForm());
        }
        try {
            Optional<PeerHandle> existing = alreadyDialled(peer, transport, route);
            if (existing.isPresent()) {
                LOG.debug("not dialling {} again over {}: a connection of that kind is live", peer.shortForm(), transport);
                unused.run();
                return existing.get();
            }
            return handshake.run();
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    /** The lock that dials of this kind to {@code peer} take (shared with a few unrelated kinds). */
    private ReentrantLock lockFor(PeerId peer, Transport transport, Route route) {
        int hash = Objects.hash(peer, transport, route == Route.RELAYED);
        return stripes[Math.floorMod(hash, STRIPES)];
    }

    /**
     * The peer's handle if a connection of this kind that we dialled is live (open, not being retired):
     * a dial of the same kind would only make a duplicate.
     */
    private Optional<PeerHandle> alreadyDialled(PeerId peer, Transport transport, Route route) {
        boolean relayed = route == Route.RELAYED;
        for (PeerConnection c : table.connectionsOf(peer)) {
            if (c.isOpen() && !c.isRetiring() && c.initiator().equals(self) && c.transport() == transport
                    && (c.route() == Route.RELAYED) == relayed) {
                return table.handle(peer);
            }
        }
        return Optional.empty();
    }
}
