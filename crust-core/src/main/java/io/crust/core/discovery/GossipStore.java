package io.crust.core.discovery;

import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The verified peer records a node has heard of, at most one per peer: the one with the highest
 * sequence. Bounded in two ways:
 * <ul>
 * <li><b>age</b>: a record is dropped {@code maxAge} after it was first stored. Receiving the same record
 *     again does not make it younger, so a record of a peer that went away dies out however often it is
 *     repeated; a live peer re-signs its record with a higher sequence well within {@code maxAge}.</li>
 * <li><b>count</b>: at most {@code maxEntries} records; when full, the record stored longest ago makes
 *     room.</li>
 * </ul>
 * Every record is verified (signature over the network name) before it is stored, and only after the
 * cheap checks that could make it irrelevant (our own, or not newer than what we have).
 *
 * <p>Pure: time comes from the injected {@code nanoClock}. Not thread-safe; {@link Gossip} guards it.
 */
public final class GossipStore {
    /** What {@link #offer} did with a record. */
    public enum Outcome {
        /** A peer we had no record of. */
        ADDED,
        /** A newer record replaced the one we had. */
        REPLACED,
        /** We already hold this record or a newer one; nothing changed. */
        KNOWN,
        /** The record is our own; the store never holds it. */
        OWN,
        /** The signature does not verify for our network; the record was dropped. */
        INVALID;

        /** True if the store changed, which is when a record is worth passing on. */
        public boolean isNews() {
            return this == ADDED || this == REPLACED;
        }
    }

    private record Stored(PeerRecord record, long storedNanos) {
    }

    private final PeerId self;
    private final String networkName;
    private final int maxEntries;
    private final long maxAgeNanos;
    private final LongSupplier nanoClock;
    /** Insertion order is storage order: the first entry was stored longest ago. */
    private final LinkedHashMap<PeerId, Stored> entries = new LinkedHashMap<>();

    public GossipStore(PeerId self, String networkName, int maxEntries, Duration maxAge, LongSupplier nanoClock) {
        if (maxEntries < 1 || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxEntries and maxAge must be positive");
        }
        this.self = Objects.requireNonNull(self, "self");
        this.networkName = Objects.requireNonNull(networkName, "networkName");
        this.maxEntries = maxEntries;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** Verifies and keeps {@code record} if it is news. */
    public Outcome offer(PeerRecord record) {
        long nowNanos = nanoClock.getAsLong();
        expire(nowNanos);
        if (record.peerId().equals(self)) {
            return Outcome.OWN;
        }
        Stored old = entries.get(record.peerId());
        if (old != null && !record.isNewerThan(old.record())) {
            return Outcome.KNOWN;
        }
        if (!record.verify(networkName)) {
            return Outcome.INVALID;
        }
        if (old != null) {
            entries.remove(record.peerId());
        } else if (entries.size() >= maxEntries) {
            Iterator<PeerId> eldest = entries.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        entries.put(record.peerId(), new Stored(record, nowNanos));
        return old == null ? Outcome.ADDED : Outcome.REPLACED;
    }

    /** The record of {@code peer}, if we hold a live one. */
    public Optional<PeerRecord> get(PeerId peer) {
        expire(nanoClock.getAsLong());
        Stored stored = entries.get(peer);
        return stored == null ? Optional.empty() : Optional.of(stored.record());
    }

    /** Up to {@code max} records, the most recently stored first. */
    public List<PeerRecord> freshest(int max) {
        expire(nanoClock.getAsLong());
        List<PeerRecord> all = new ArrayList<>(entries.size());
        for (Stored s : entries.values()) {
            all.add(s.record());
        }
        List<PeerRecord> newestFirst = new ArrayList<>(Math.min(max, all.size()));
        for (int i = all.size() - 1; i >= 0 && newestFirst.size() < max; i--) {
            newestFirst.add(all.get(i));
        }
        return newestFirst;
    }

    /** Forgets {@code peer}'s record (for example because the peer was banned). */
    public void remove(PeerId peer) {
        entries.remove(peer);
    }

    /** How many live records are held. */
    public int size() {
        expire(nanoClock.getAsLong());
        return entries.size();
    }

    private void expire(long nowNanos) {
        Iterator<Map.Entry<PeerId, Stored>> oldestFirst = entries.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            if (nowNanos - oldestFirst.next().getValue().storedNanos() < maxAgeNanos) {
                return;
            }
            oldestFirst.remove();
        }
    }
}
