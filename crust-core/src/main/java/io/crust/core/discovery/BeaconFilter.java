package io.crust.core.discovery;

import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * What the LAN beacon does with a received datagram, without the socket: rate limits, parse, network
 * check, signature check, and deciding whether the peer is worth reporting.
 *
 * <p>Checks run cheapest first so that a flood costs as little as possible:
 * <ol>
 * <li>a token bucket per source IP address (at most {@code maxSources} tracked), then one for all
 *     sources together, so a flood from one address cannot use up the shared budget of the others;</li>
 * <li>header and network tag, then the record's format;</li>
 * <li>our own beacon (multicast loops back) is ignored;</li>
 * <li>a peer reported recently with the same or an older sequence is dropped before its signature is
 *     checked;</li>
 * <li>the signature, which also binds the network name.</li>
 * </ol>
 * A peer is reported when it is new, when its sequence grew, or when {@code reportAgainNanos} passed
 * since it was last reported (so a node that lost the peer dials it again). Reporting a peer only
 * makes it a candidate to dial: the handshake authenticates it.
 *
 * <p>Pure and not thread-safe: the beacon's one thread owns it.
 */
final class BeaconFilter {
    /** Limits of the filter. */
    record Limits(int sourceBurst, double sourcePerSecond, int maxSources, int totalBurst, double totalPerSecond,
            int maxPeers, long reportAgainNanos) {
        static Limits defaults() {
            return new Limits(8, 2.0, 256, 64, 32.0, 256, 60_000_000_000L);
        }
    }

    /** Counters for logs and tests. */
    static final class Counters {
        long reported;
        long rateLimited;
        long malformed;
        long badSignature;
        long repeated;
        long own;
    }

    private final PeerId self;
    private final String networkName;
    private final byte[] networkTag;
    private final Limits limits;
    private final TokenBuckets<InetAddress> perSource;
    private final TokenBuckets<Boolean> total;
    /** Peers already reported, least recently reported first: sequence and time of the report. */
    private final LinkedHashMap<PeerId, long[]> reported = new LinkedHashMap<>(16, 0.75f, true);
    private final Counters counters = new Counters();

    BeaconFilter(PeerId self, String networkName, Limits limits) {
        this.self = self;
        this.networkName = networkName;
        this.networkTag = Beacon.networkTag(networkName);
        this.limits = limits;
        this.perSource = new TokenBuckets<>(limits.sourceBurst(), limits.sourcePerSecond(), limits.maxSources());
        this.total = new TokenBuckets<>(limits.totalBurst(), limits.totalPerSecond(), 1);
    }

    /** The record to report as a new candidate, or empty if the datagram is dropped. */
    Optional<PeerRecord> accept(InetAddress source, ByteBuffer datagram, long nowNanos) {
        if (!perSource.tryTake(source, nowNanos) || !total.tryTake(Boolean.TRUE, nowNanos)) {
            counters.rateLimited++;
            return Optional.empty();
        }
        PeerRecord record;
        try {
            record = Beacon.decode(datagram, networkTag);
        } catch (CrustException e) {
            counters.malformed++;
            return Optional.empty();
        }
        if (record.peerId().equals(self)) {
            counters.own++;
            return Optional.empty();
        }
        long[] last = reported.get(record.peerId());
        if (last != null) {
            int order = Long.compareUnsigned(record.sequence(), last[0]);
            // An older record is a replay or a late datagram; the same one is only worth repeating now and then.
            if (order < 0 || (order == 0 && nowNanos - last[1] < limits.reportAgainNanos())) {
                counters.repeated++;
                return Optional.empty();
            }
        }
        if (!record.verify(networkName)) {
            counters.badSignature++;
            return Optional.empty();
        }
        if (last == null && reported.size() >= limits.maxPeers()) {
            Iterator<PeerId> eldest = reported.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        reported.put(record.peerId(), new long[] {record.sequence(), nowNanos});
        counters.reported++;
        return Optional.of(record);
    }

    Counters counters() {
        return counters;
    }
}
