package io.crust.core.service;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.Route;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group maintenance: keeps {@code targetPeers} connected and at least {@code targetPeerCount} peers
 * overall, reconnecting lost members with exponential backoff (1 s doubling to 60 s per peer). Called
 * from the ticker; each attempt runs on its own node-owned thread, at most one per peer.
 */
final class Group {
    private static final Logger log = LoggerFactory.getLogger(Group.class);
    private static final long FIRST_BACKOFF_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long MAX_BACKOFF_NANOS = Duration.ofSeconds(60).toNanos();
    private static final long TICK_NANOS = Duration.ofMillis(500).toNanos();

    private record Backoff(long nextNanos, long delayNanos) {
    }

    private final Node node;
    private final Router router;
    private final Map<PeerId, Backoff> backoff = new ConcurrentHashMap<>();
    private final Set<PeerId> inFlight = ConcurrentHashMap.newKeySet();
    private long lastTickNanos;

    Group(Node node, Router router) {
        this.node = node;
        this.router = router;
    }

    void tick(long now) {
        if (now - lastTickNanos < TICK_NANOS) {
            return;
        }
        lastTickNanos = now;
        Set<PeerId> wanted = new LinkedHashSet<>(node.config.targetPeers());
        int deficit = node.config.targetPeerCount() - node.table.handles().size() - inFlight.size();
        if (deficit > 0) {
            for (PeerId known : router.knownPeers()) {
                if (deficit <= 0) {
                    break;
                }
                if (!wanted.contains(known) && node.table.handle(known).isEmpty()) {
                    wanted.add(known);
                    deficit--;
                }
            }
        }
        for (PeerId id : wanted) {
            if (node.table.handle(id).isPresent()) {
                backoff.remove(id);
                continue;
            }
            Backoff b = backoff.get(id);
            if (node.blacklist.bans(id) || (b != null && now < b.nextNanos()) || !inFlight.add(id)) {
                continue;
            }
            if (!node.threads.start("crust-group-" + id.shortForm(), () -> attempt(id))) {
                inFlight.remove(id);
            }
        }
    }

    private void attempt(PeerId id) {
        try {
            reconnect(id);
            backoff.remove(id);
        } catch (CrustException e) {
            Backoff previous = backoff.get(id);
            long delay = previous == null ? FIRST_BACKOFF_NANOS : Math.min(MAX_BACKOFF_NANOS, previous.delayNanos() * 2);
            backoff.put(id, new Backoff(System.nanoTime() + delay, delay));
            log.debug("group: reconnecting {} failed, next try in {} ms: {}", id.shortForm(), delay / 1_000_000, e.getMessage());
        } finally {
            inFlight.remove(id);
        }
    }

    private void reconnect(PeerId id) throws CrustException {
        List<InetSocketAddress> tcp = new ArrayList<>();
        List<InetSocketAddress> udp = new ArrayList<>();
        List<PeerRecord.Address> addresses = new ArrayList<>(router.record(id).map(PeerRecord::addresses).orElse(List.of()));
        addresses.addAll(router.bootstrap().cachedAddresses(id));
        for (PeerRecord.Address a : addresses) {
            List<InetSocketAddress> list = a.transport() == Transport.TCP ? tcp : udp;
            if (!list.contains(a.socketAddress()) && list.size() < ConnectionInfo.MAX_ADDRESSES) {
                list.add(a.socketAddress());
            }
        }
        Duration timeout = node.config.handshakeTimeout();
        if (!tcp.isEmpty() || !udp.isEmpty()) {
            try {
                router.dialInfo(new ConnectionInfo(id, tcp, udp), Route.DIRECT, timeout);
                return;
            } catch (CrustException e) {
                log.debug("group: direct dial of {} failed: {}", id.shortForm(), e.getMessage());
            }
        }
        router.rendezvous().connect(id, timeout);
    }
}
