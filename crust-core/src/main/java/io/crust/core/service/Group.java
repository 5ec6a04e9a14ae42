package io.crust.core.service;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.connect.Rendezvous;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group maintenance: keeps {@code targetPeers} connected and at least {@code targetPeerCount} peers
 * overall, reconnecting lost members with exponential backoff ({@link ReconnectBackoff}), and
 * fills the count from the peers known through gossip and the bootstrap cache.
 *
 * <p>Threads: {@link #tick} on the ticker; each attempt on its own node-owned thread, at most one per peer.
 */
final class Group {
    private static final Logger LOG = LoggerFactory.getLogger(Group.class);
    private static final long TICK_NANOS = Duration.ofMillis(500).toNanos();
    /** How long a redial tries the address a broken connection was dialled at before connecting by id. */
    private static final Duration LAST_ADDRESS_WAIT = Duration.ofSeconds(2);
    /** Routes whose connections we dialled at an address that may still be the peer's. */
    private static final Set<Route> DIALLED_DIRECTLY = Set.of(Route.DIRECT, Route.MAPPED, Route.LAN, Route.BOOTSTRAP_OUT);

    private final CrustConfig config;
    private final PeerId self;
    private final PeerTable table;
    private final Blacklist blacklist;
    private final ThreadOwner threads;
    private final GossipSide gossip;
    private final Bootstrap bootstrap;
    private final Dialer dialer;
    private final Rendezvous rendezvous;
    private final LongSupplier nanoClock;
    private final ReconnectBackoff backoff = new ReconnectBackoff();
    private final Set<PeerId> inFlight = ConcurrentHashMap.newKeySet();
    private long lastTickNanos;

    Group(CrustConfig config, PeerId self, PeerTable table, Blacklist blacklist, ThreadOwner threads, GossipSide gossip,
            Bootstrap bootstrap, Dialer dialer, Rendezvous rendezvous, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.config = config;
        this.self = self;
        this.table = table;
        this.blacklist = blacklist;
        this.threads = threads;
        this.gossip = gossip;
        this.bootstrap = bootstrap;
        this.dialer = dialer;
        this.rendezvous = rendezvous;
    }

    /** Peers known from gossip and the bootstrap cache. */
    Set<PeerId> knownPeers() {
        Set<PeerId> ids = new HashSet<>();
        gossip.known(Integer.MAX_VALUE).forEach(r -> ids.add(r.peerId()));
        ids.addAll(bootstrap.cachedPeers());
        ids.remove(self);
        return ids;
    }

    void tick(long now) {
        if (now - lastTickNanos < TICK_NANOS) {
            return;
        }
        lastTickNanos = now;
        redialBroken();
        Set<PeerId> wanted = new LinkedHashSet<>(config.targetPeers());
        int deficit = config.targetPeerCount() - table.handles().size() - inFlight.size();
        if (deficit > 0) {
            for (PeerId known : knownPeers()) {
                if (deficit <= 0) {
                    break;
                }
                if (!wanted.contains(known) && table.connected(known).isEmpty()) {
                    wanted.add(known);
                    deficit--;
                }
            }
        }
        for (PeerId id : wanted) {
            if (table.connected(id).isPresent()) {
                backoff.succeeded(id);
                continue;
            }
            if (blacklist.bans(id) || !backoff.mayTry(id, now) || !inFlight.add(id)) {
                continue;
            }
            if (!threads.start("crust-group-" + id.shortForm(), () -> attempt(id))) {
                inFlight.remove(id);
            }
        }
    }

    /**
     * Dials again, by id, every broken connection we dialled while it waits to be continued
     * ({@link Resumptions}): the handshake then carries the offer. One attempt per peer at a time; the
     * next tick tries again until the resume window ends.
     */
    private void redialBroken() {
        for (Resumptions.Redial r : table.awaitingRedial()) {
            if (!blacklist.bans(r.peer()) && inFlight.add(r.peer())
                    && !threads.start("crust-resume-" + r.peer().shortForm(), () -> redial(r))) {
                inFlight.remove(r.peer());
            }
        }
    }

    private void redial(Resumptions.Redial r) {
        try {
            // An address we dialled directly first, briefly (a path that went silent must not hold up the
            // rest); then connect by id, which races punching and a relay, as connect(PeerId) does.
            if (r.address() != null && DIALLED_DIRECTLY.contains(r.route())) {
                ConnectionInfo last = r.transport() == Transport.TCP ? new ConnectionInfo(r.peer(), List.of(r.address()), List.of())
                        : new ConnectionInfo(r.peer(), List.of(), List.of(r.address()));
                try {
                    dialer.dialInfo(last, r.route(), Dialer.min(config.handshakeTimeout(), LAST_ADDRESS_WAIT));
                } catch (CrustException e) {
                    LOG.debug("resume: {} not at {} any more: {}", r.peer().shortForm(), r.address(), e.getMessage());
                }
            }
            if (table.awaitingRedial().stream().anyMatch(w -> w.peer().equals(r.peer()))) {
                rendezvous.connect(r.peer(), config.handshakeTimeout()); // no candidate from the last address
            }
        } catch (CrustException e) {
            LOG.debug("resume: redialling {} failed: {}", r.peer().shortForm(), e.getMessage());
        } finally {
            inFlight.remove(r.peer());
        }
    }

    private void attempt(PeerId id) {
        try {
            reconnect(id);
            backoff.succeeded(id);
        } catch (CrustException e) {
            Duration wait = backoff.failed(id, nanoClock.getAsLong());
            LOG.debug("group: reconnecting {} failed, next try in {} ms: {}", id.shortForm(), wait.toMillis(), e.getMessage());
        } finally {
            inFlight.remove(id);
        }
    }

    private void reconnect(PeerId id) throws CrustException {
        List<InetSocketAddress> tcp = new ArrayList<>();
        List<InetSocketAddress> udp = new ArrayList<>();
        List<PeerRecord.Address> addresses = new ArrayList<>(gossip.record(id).map(PeerRecord::addresses).orElse(List.of()));
        addresses.addAll(bootstrap.cachedAddresses(id));
        for (PeerRecord.Address a : addresses) {
            List<InetSocketAddress> list = a.transport() == Transport.TCP ? tcp : udp;
            if (!list.contains(a.socketAddress()) && list.size() < ConnectionInfo.MAX_ADDRESSES) {
                list.add(a.socketAddress());
            }
        }
        Duration timeout = config.handshakeTimeout();
        if (!tcp.isEmpty() || !udp.isEmpty()) {
            try {
                dialer.dialInfo(new ConnectionInfo(id, tcp, udp), Route.DIRECT, timeout);
                return;
            } catch (CrustException e) {
                LOG.debug("group: direct dial of {} failed: {}", id.shortForm(), e.getMessage());
            }
        }
        rendezvous.connect(id, timeout);
    }
}
