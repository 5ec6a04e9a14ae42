package io.crust.core.service;

import io.crust.core.ConnectionInfo;
import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.bootstrap.BootstrapCache;
import io.crust.nat.log.RateLimitedLog;
import io.crust.core.bootstrap.BootstrapPlan;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the network at start: the bootstrap cache (most recent first) interleaved with the configured
 * contacts ({@link BootstrapPlan}), dialled in parallel with at most {@code bootstrapFanOut} in flight
 * and an overall {@code bootstrapTimeout}. The first success is reported at once
 * ({@link CrustEvent.BootstrapFinished}); if every candidate fails, {@link CrustEvent.BootstrapFailed}.
 * Keeps the cache up to date: every direct connection records a success, every failed cached
 * candidate a failure.
 *
 * <p>Threads: the joining runs on {@code crust-bootstrap} and {@code crust-bootstrap-dial-N}, owned by the
 * node; the cache is updated from connection readers (HELLO) and those dial threads.
 */
final class Bootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
    private static final int MAX_CANDIDATES = 64;

    private final CrustConfig config;
    private final Handshakes handshakes;
    private final UdtSide udt;
    private final PeerTable table;
    private final EventQueue events;
    private final ThreadOwner threads;
    private final BooleanSupplier nodeClosed;
    private final BootstrapCache cache;
    /** A full disk would otherwise warn on every tick. */
    private final RateLimitedLog cacheWriteFailures = new RateLimitedLog(LOG);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition done = lock.newCondition();

    Bootstrap(CrustConfig config, Handshakes handshakes, UdtSide udt, PeerTable table, EventQueue events,
            ThreadOwner threads, BooleanSupplier nodeClosed) {
        this.config = config;
        this.handshakes = handshakes;
        this.udt = udt;
        this.table = table;
        this.events = events;
        this.threads = threads;
        this.nodeClosed = nodeClosed;
        BootstrapCache opened = null;
        if (config.dataDir().isPresent()) { // an ephemeral node keeps no cache
            try {
                opened = BootstrapCache.open(config.dataDir().get());
            } catch (IOException e) {
                LOG.warn("bootstrap cache unavailable in {}: {}", config.dataDir().get(), e.toString());
            }
        }
        this.cache = opened;
    }

    void start() {
        threads.start("crust-bootstrap", this::run);
    }

    private void run() {
        Set<Transport> transports = EnumSet.noneOf(Transport.class);
        if (config.tcp()) {
            transports.add(Transport.TCP);
        }
        if (config.udp() && udt.isRunning()) {
            transports.add(Transport.UDT);
        }
        List<BootstrapCache.Entry> cached = cache == null ? List.of() : cache.entries();
        List<BootstrapPlan.Candidate> candidates =
                BootstrapPlan.candidates(cached, config.contacts(), transports, MAX_CANDIDATES);
        if (candidates.isEmpty()) {
            events.putUninterruptibly(new CrustEvent.BootstrapFailed(
                    "no bootstrap candidates: the cache is empty and no contacts are configured"));
            return;
        }
        long deadline = System.nanoTime() + config.bootstrapTimeout().toNanos();
        Semaphore inFlight = new Semaphore(config.bootstrapFanOut());
        AtomicBoolean reported = new AtomicBoolean();
        AtomicInteger finished = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        int started = 0;
        try {
            for (BootstrapPlan.Candidate candidate : candidates) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
                started++;
                boolean launched = threads.start("crust-bootstrap-dial-" + started, () -> {
                    try {
                        String failure = tryCandidate(candidate, deadline);
                        if (failure == null) {
                            if (reported.compareAndSet(false, true)) {
                                events.putUninterruptibly(new CrustEvent.BootstrapFinished(
                                        table.handles().stream().map(PeerHandle::id).toList()));
                            }
                        } else {
                            failures.add(failure);
                        }
                    } finally {
                        inFlight.release();
                        finished.incrementAndGet();
                        signal();
                    }
                });
                if (!launched) {
                    return;
                }
            }
            awaitAll(finished, started, deadline);
        } catch (InterruptedException e) {
            return;
        }
        if (!reported.get() && !nodeClosed.getAsBoolean()) {
            String summary = failures.isEmpty() ? "timed out" : String.join("; ", failures.subList(0, Math.min(5, failures.size())));
            events.putUninterruptibly(new CrustEvent.BootstrapFailed(
                    "all " + started + " bootstrap candidates failed: " + summary));
        }
    }

    private void awaitAll(AtomicInteger finished, int started, long deadline) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long left = deadline - System.nanoTime();
            while (finished.get() < started && left > 0) {
                left = done.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            done.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Dials one candidate's addresses in order; null on success, else why it failed. */
    private String tryCandidate(BootstrapPlan.Candidate candidate, long deadline) {
        PeerId expected = candidate.expectedPeer().orElse(null);
        List<String> reasons = new ArrayList<>();
        for (PeerRecord.Address address : candidate.addresses()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Duration timeout = Duration.ofNanos(Math.min(left, config.handshakeTimeout().toNanos()));
            try {
                PeerHandle peer = address.transport() == Transport.TCP
                        ? handshakes.dialTcp(address.socketAddress(), expected, Route.BOOTSTRAP_OUT, timeout)
                        : udt.dial(address.socketAddress(), expected, Route.BOOTSTRAP_OUT, timeout);
                LOG.info("bootstrapped through {} at {}", peer.id().shortForm(), address);
                // Written before BootstrapFinished is reported, not only when the peer's HELLO arrives: a
                // node killed right after that event must find the contact in its cache when it restarts.
                remember(peer.id(), address);
                return null;
            } catch (CrustException e) {
                reasons.add(address + ": " + e.getMessage());
            }
        }
        if (expected != null && cache != null) {
            cache.recordFailure(expected);
        }
        return String.join(", ", reasons);
    }

    /** A direct connection said where its owner listens: remember it for the next start. */
    void connectedDirectly(PeerConnection c, ConnectionInfo info) {
        if (cache == null || nodeClosed.getAsBoolean()) {
            return;
        }
        // The address we dialled worked; for an inbound connection, the peer's first listen address.
        PeerRecord.Address address = null;
        if (c.route() != Route.BOOTSTRAP_IN && c.remoteAddress() != null) {
            address = new PeerRecord.Address(c.transport(), PeerRecord.Kind.HOST, c.remoteAddress());
        } else if (!info.tcpAddresses().isEmpty()) {
            address = new PeerRecord.Address(Transport.TCP, PeerRecord.Kind.HOST, info.tcpAddresses().get(0));
        } else if (!info.udpAddresses().isEmpty()) {
            address = new PeerRecord.Address(Transport.UDT, PeerRecord.Kind.HOST, info.udpAddresses().get(0));
        }
        if (address == null) {
            return;
        }
        remember(c.remote(), address);
    }

    private void remember(PeerId peer, PeerRecord.Address address) {
        if (cache == null || nodeClosed.getAsBoolean()) {
            return;
        }
        try {
            cache.recordSuccess(peer, address);
        } catch (IOException e) {
            cacheWriteFailures.warn("cannot write the bootstrap cache: {}", e.toString());
        }
    }

    /** Writes the cache's changes to disk, if any (the ticker calls this every tick; so does close). */
    void flushCache() {
        if (cache == null) {
            return;
        }
        try {
            cache.flush();
        } catch (IOException e) {
            cacheWriteFailures.warn("cannot write the bootstrap cache: {}", e.toString());
        }
    }

    List<PeerId> cachedPeers() {
        return cache == null ? List.of() : cache.entries().stream().map(BootstrapCache.Entry::peerId).toList();
    }

    /** Cached addresses of a peer, for group maintenance. */
    List<PeerRecord.Address> cachedAddresses(PeerId id) {
        if (cache == null) {
            return List.of();
        }
        return cache.entries().stream().filter(e -> e.peerId().equals(id)).findFirst()
                .map(BootstrapCache.Entry::addresses).orElse(List.of());
    }

    void close() {
        flushCache();
    }
}
