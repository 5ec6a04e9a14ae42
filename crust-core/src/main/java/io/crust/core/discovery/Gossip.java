package io.crust.core.discovery;

import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Decides what peer records to pass to whom, so that a node learns of peers several hops away while what
 * it stores and sends stays bounded. It does no I/O: the service calls it when a peer connects, when a
 * {@link GossipMessage} arrives and when this node's own record changes, and sends the returned
 * {@link Outgoing} messages over its encrypted connections.
 *
 * <p>The rules:
 * <ul>
 * <li>When a peer connects, we send it our own record with {@code maxHops} hops (so its neighbours learn
 *     of us) and up to {@code syncRecords} of our freshest records with 0 hops (so it learns the
 *     neighbourhood at once, without a flood).</li>
 * <li>A received record is stored if it verifies and is news ({@link GossipStore}). Only news is
 *     forwarded, and only while hops are left: to at most {@code fanOut} random connected peers, never
 *     to the peer it came from nor to the peer it describes, with one hop less. A record that failed
 *     verification is never forwarded, and what we already knew stops there, so a flood dies out.</li>
 * <li>Each sending peer has a token bucket of records; a message beyond it is dropped whole. Invalid
 *     records and dropped messages are reported in {@link Result} so the service can raise a
 *     misbehaviour event.</li>
 * </ul>
 *
 * <p>Thread-safe: reader threads of several peers may call it at once (a lock guards the state; no call
 * blocks).
 */
public final class Gossip {
    /**
     * Bounds of gossip.
     *
     * @param maxEntries records kept ({@link GossipStore})
     * @param maxAge how long a record is kept after it was first stored; a node re-signs its own record
     *        (with a higher sequence) well within this, for example every third of it
     * @param fanOut how many peers a news record is forwarded to
     * @param maxHops hops given to our own record; at most {@link GossipMessage#MAX_HOPS}
     * @param syncRecords how many known records a newly connected peer receives
     * @param recordsBurst records a peer may send at once
     * @param recordsPerSecond records a peer may send per second on average
     */
    public record Config(int maxEntries, Duration maxAge, int fanOut, int maxHops, int syncRecords, int recordsBurst,
            double recordsPerSecond) {
        public Config {
            Objects.requireNonNull(maxAge, "maxAge");
            if (maxEntries < 1 || fanOut < 0 || maxHops < 0 || maxHops > GossipMessage.MAX_HOPS || syncRecords < 0
                    || recordsBurst < 1 || recordsPerSecond <= 0) {
                throw new IllegalArgumentException("gossip limits out of range: " + this);
            }
        }

        /** 1000 records for 30 minutes, fan-out 3, 3 hops, 64 records on connect, 128 records burst then 8/s per peer. */
        public static Config defaults() {
            return new Config(1000, Duration.ofMinutes(30), 3, 3, 64, 128, 8.0);
        }
    }

    /** A message to send to one connected peer. */
    public record Outgoing(PeerId to, GossipMessage message) {
    }

    /**
     * What came of a received message.
     *
     * @param learned records that were news (added or newer), for example to dial or to answer a lookup
     * @param invalidRecords records whose signature did not verify: misbehaviour of the sender
     * @param rateLimitedRecords records dropped because the sender exceeded its rate: a flood
     * @param forward messages to pass on
     */
    public record Result(List<PeerRecord> learned, int invalidRecords, int rateLimitedRecords, List<Outgoing> forward) {
        /** True if the sender broke the rules (sent invalid records or flooded). */
        public boolean misbehaved() {
            return invalidRecords > 0 || rateLimitedRecords > 0;
        }
    }

    private static final int MAX_TRACKED_SENDERS = 4096;

    private final PeerId self;
    private final Config config;
    private final LongSupplier nanoClock;
    private final RandomGenerator random;
    private final GossipStore store;
    private final TokenBuckets<PeerId> senders;
    private final ReentrantLock lock = new ReentrantLock();

    public Gossip(PeerId self, String networkName, Config config, LongSupplier nanoClock, RandomGenerator random) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.random = Objects.requireNonNull(random, "random");
        this.store = new GossipStore(self, networkName, config.maxEntries(), config.maxAge(), nanoClock);
        this.senders = new TokenBuckets<>(config.recordsBurst(), config.recordsPerSecond(), MAX_TRACKED_SENDERS);
    }

    /** What to send to {@code peer}, which just connected: our record, then what we know (except its own). */
    public List<Outgoing> onConnected(PeerId peer, PeerRecord own) {
        lock.lock();
        try {
            List<Outgoing> out = new ArrayList<>();
            out.add(new Outgoing(peer, new GossipMessage(config.maxHops(), List.of(own))));
            List<PeerRecord> known = new ArrayList<>();
            for (PeerRecord r : store.freshest(config.syncRecords() + 1)) {
                if (!r.peerId().equals(peer) && known.size() < config.syncRecords()) {
                    known.add(r);
                }
            }
            for (List<PeerRecord> batch : batches(known)) {
                out.add(new Outgoing(peer, new GossipMessage(0, batch)));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the rate state of a peer that disconnected. */
    public void onDisconnected(PeerId peer) {
        lock.lock();
        try {
            senders.forget(peer);
        } finally {
            lock.unlock();
        }
    }

    /** Our own record changed (new addresses, or re-signed before it ages out): tell every connected peer. */
    public List<Outgoing> publish(PeerRecord own, Collection<PeerId> connected) {
        List<Outgoing> out = new ArrayList<>(connected.size());
        for (PeerId peer : connected) {
            if (!peer.equals(self)) {
                out.add(new Outgoing(peer, new GossipMessage(config.maxHops(), List.of(own))));
            }
        }
        return out;
    }

    /**
     * Handles a message from {@code from}.
     *
     * @param connected the peers connected now, the candidates for forwarding
     */
    public Result onMessage(PeerId from, GossipMessage message, Collection<PeerId> connected) {
        lock.lock();
        try {
            int count = message.records().size();
            if (count > 0 && !senders.tryTake(from, count, nanoClock.getAsLong())) {
                return new Result(List.of(), 0, count, List.of());
            }
            List<PeerRecord> learned = new ArrayList<>();
            int invalid = 0;
            for (PeerRecord record : message.records()) {
                GossipStore.Outcome outcome = store.offer(record);
                if (outcome == GossipStore.Outcome.INVALID) {
                    invalid++;
                } else if (outcome.isNews()) {
                    learned.add(record);
                }
            }
            List<Outgoing> forward = message.hopsLeft() > 0 ? forward(from, learned, connected, message.hopsLeft() - 1) : List.of();
            return new Result(List.copyOf(learned), invalid, 0, forward);
        } finally {
            lock.unlock();
        }
    }

    /** The live record of {@code peer}, if we heard of one. */
    public Optional<PeerRecord> lookup(PeerId peer) {
        lock.lock();
        try {
            return store.get(peer);
        } finally {
            lock.unlock();
        }
    }

    /** Up to {@code max} known records, the most recently learned first. */
    public List<PeerRecord> known(int max) {
        lock.lock();
        try {
            return store.freshest(max);
        } finally {
            lock.unlock();
        }
    }

    /** Forgets what we know of {@code peer} (for example because it was banned). */
    public void forget(PeerId peer) {
        lock.lock();
        try {
            store.remove(peer);
            senders.forget(peer);
        } finally {
            lock.unlock();
        }
    }

    private List<Outgoing> forward(PeerId from, List<PeerRecord> news, Collection<PeerId> connected, int hopsLeft) {
        Map<PeerId, List<PeerRecord>> byTarget = new LinkedHashMap<>();
        for (PeerRecord record : news) {
            List<PeerId> targets = new ArrayList<>(connected.size());
            for (PeerId peer : connected) {
                if (!peer.equals(from) && !peer.equals(record.peerId()) && !peer.equals(self)) {
                    targets.add(peer);
                }
            }
            // Partial Fisher-Yates: the first fanOut entries become a uniform random sample.
            int picks = Math.min(config.fanOut(), targets.size());
            for (int i = 0; i < picks; i++) {
                int j = i + random.nextInt(targets.size() - i);
                PeerId chosen = targets.get(j);
                targets.set(j, targets.get(i));
                targets.set(i, chosen);
                byTarget.computeIfAbsent(chosen, k -> new ArrayList<>()).add(record);
            }
        }
        List<Outgoing> out = new ArrayList<>();
        for (Map.Entry<PeerId, List<PeerRecord>> e : byTarget.entrySet()) {
            for (List<PeerRecord> batch : batches(e.getValue())) {
                out.add(new Outgoing(e.getKey(), new GossipMessage(hopsLeft, batch)));
            }
        }
        return out;
    }

    private static List<List<PeerRecord>> batches(List<PeerRecord> records) {
        List<List<PeerRecord>> batches = new ArrayList<>();
        for (int i = 0; i < records.size(); i += GossipMessage.MAX_RECORDS) {
            batches.add(List.copyOf(records.subList(i, Math.min(records.size(), i + GossipMessage.MAX_RECORDS))));
        }
        return batches;
    }
}
