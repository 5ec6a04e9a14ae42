package io.crust.core.proof;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustEvent;
import io.crust.core.service.Nodes;
import io.crust.core.CrustEvent.Misbehaviour;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Transport;
import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slow and stalled handshakes against a node's TCP listener: connections that send nothing, or the first
 * bytes of a Noise message and then nothing. What is measured: the pending-handshake limit
 * ({@code maxPendingHandshakes}) holds, connections beyond it are refused at once, held ones are cut at
 * {@code handshakeTimeout} with a {@code HANDSHAKE_TIMEOUT} misbehaviour, memory and threads return to
 * where they were, and a legitimate peer gets through a sustained flood.
 */
class HandshakeFloodTest {
    /** A Noise frame header announcing 32 bytes, followed by only 10 of them. */
    /** How late an attacker may see the node cut its connection without {@link #mostAtOnce} counting too many. */
    private static final Duration OBSERVATION_DELAY = Duration.ofMillis(500);
    private static final byte[] HALF_A_NOISE_MESSAGE = {0, 32, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    @RegisterExtension
    final ProofNodes nodes = new ProofNodes();

    @Test
    void stalledHandshakesBeyondTheLimitAreRefusedAtOnceAndTheRestAreCutAtTheTimeout() throws Exception {
        int limit = 64;
        int extra = 136;
        Duration timeout = Duration.ofSeconds(8);
        CrustNode node = nodes.start(c -> c.maxPendingHandshakes(limit).maxPendingHandshakesPerAddress(limit).maxPendingHandshakesPerPrefix(limit).handshakeTimeout(timeout));
        CrustNode legitimate = nodes.start();
        InetSocketAddress address = ProofNodes.tcp(node);
        Resources before = Resources.now();

        List<Attacker> attackers = new ArrayList<>();
        for (int i = 0; i < limit + extra; i++) {
            attackers.add(Attacker.open(address, i % 2 == 1 ? HALF_A_NOISE_MESSAGE : new byte[0]));
        }
        // The listener accepts in arrival order: the first `limit` connections hold every slot.
        for (Attacker refused : attackers.subList(limit, attackers.size())) {
            refused.awaitClosed();
        }
        Resources held = Resources.withoutThreadDump();
        boolean legitimateGotInWhileFull = tryConnect(legitimate, address, Duration.ofSeconds(5));
        for (Attacker attacker : attackers) {
            attacker.awaitClosed();
        }

        long lastRefusedNanos = attackers.subList(limit, attackers.size()).stream().mapToLong(Attacker::closedAtNanos).max().orElseThrow();
        long firstCutNanos = attackers.subList(0, limit).stream().mapToLong(Attacker::closedAtNanos).min().orElseThrow();
        assertThat(lastRefusedNanos).as("connections beyond the limit are refused before any held one is cut").isLessThan(firstCutNanos);
        for (Attacker cut : attackers.subList(0, limit)) {
            assertThat(cut.openNanos()).as("a held handshake lives until the timeout").isGreaterThanOrEqualTo(timeout.toNanos());
            assertThat(cut.openNanos()).as("and is cut soon after it").isLessThan(timeout.plus(ProofNodes.WAIT).toNanos());
        }
        Map<Misbehaviour.Kind, Integer> kinds = awaitMisbehaviours(node, Misbehaviour.Kind.HANDSHAKE_TIMEOUT, limit);
        assertThat(kinds.get(Misbehaviour.Kind.HANDSHAKE_TIMEOUT)).isEqualTo(limit);
        assertThat(kinds.getOrDefault(Misbehaviour.Kind.LIMIT_EXCEEDED, 0)).isGreaterThanOrEqualTo(extra);

        Peer peer = legitimate.connect(address, ProofNodes.WAIT);
        assertThat(peer.id()).isEqualTo(node.id());
        peer.close();
        Resources after = settle(before);
        assertThat(after.crustThreads()).as("threads: %s, then %s", before, after).isLessThanOrEqualTo(before.crustThreads());
        assertThat(after.heapBytes()).as("heap: %s, then %s", before, after).isLessThan(before.heapBytes() + 16L * 1024 * 1024);

        long cutMinMillis = attackers.subList(0, limit).stream().mapToLong(Attacker::openNanos).min().orElseThrow() / 1_000_000;
        long cutMaxMillis = attackers.subList(0, limit).stream().mapToLong(Attacker::openNanos).max().orElseThrow() / 1_000_000;
        long refusedMaxMillis = attackers.subList(limit, attackers.size()).stream().mapToLong(Attacker::openNanos).max().orElseThrow() / 1_000_000;
        Figures.print("stalled", "%d stalled connections (half of them sent half a Noise message), limit %d, timeout %d ms",
                limit + extra, limit, timeout.toMillis());
        Figures.print("stalled", "refused at once: %d, longest %d ms; held and cut: %d after %d..%d ms; events %s",
                extra, refusedMaxMillis, limit, cutMinMillis, cutMaxMillis, kinds);
        Figures.print("stalled", "legitimate peer while every slot was held: %s", legitimateGotInWhileFull ? "connected" : "refused");
        Figures.print("stalled", "before %s | all slots held %s | after %s", before, held, after);
        Figures.print("stalled", "heap per held handshake: %.1f KiB", (held.heapBytes() - before.heapBytes()) / 1024.0 / limit);
    }

    @Test
    void stalledCrustUdtHandshakesBeyondTheLimitAreRefusedAndTheRestAreCutAtTheTimeout() throws Exception {
        int limit = 8;
        int extra = 8;
        Duration timeout = Duration.ofSeconds(5);
        CrustNode node = nodes.start(c -> c.udp(true).maxPendingHandshakes(limit).maxPendingHandshakesPerAddress(limit).maxPendingHandshakesPerPrefix(limit).handshakeTimeout(timeout));
        CrustNode legitimate = nodes.start(c -> c.udp(true).tcp(false));
        InetSocketAddress address = node.udpAddress().orElseThrow();
        Resources before = Resources.now();

        long[] lifeNanos = new long[limit + extra];
        long[] closedAt = new long[limit + extra];
        List<Thread> watchers = new ArrayList<>();
        Resources held;
        try (UdtEndpoint attacker = UdtEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdtConfig.builder().build())) {
            for (int i = 0; i < limit + extra; i++) {
                long opened = System.nanoTime();
                UdtConnection connection;
                try {
                    connection = attacker.connect(address, ProofNodes.WAIT);
                } catch (IOException refusedWhileConnecting) {
                    // the node aborted it as soon as crust-udt handed it over, before our side completed
                    lifeNanos[i] = System.nanoTime() - opened;
                    continue;
                }
                int index = i;
                watchers.add(Thread.ofVirtual().start(() -> {
                    try {
                        while (connection.receive() != null) {
                            // the node sends nothing before our first handshake message
                        }
                    } catch (IOException ended) {
                        // aborted by the node, or closed at its handshake deadline
                    } finally {
                        closedAt[index] = System.nanoTime();
                        lifeNanos[index] = closedAt[index] - opened;
                    }
                }));
            }
            held = Resources.withoutThreadDump();
            for (Thread watcher : watchers) {
                assertThat(watcher.join(ProofNodes.WAIT.plus(timeout))).as("every crust-udt connection ended").isTrue();
            }
        }
        // crust-udt sometimes hands the node a second connection for one connect() whose first was aborted
        // (docs/reliability.md F8): the node may see more connections than we opened, and one of ours that was
        // refused may live on as such a second connection, admitted later and cut at its deadline. So: at
        // least `limit` cut at the deadline, at least one refused, and never more than `limit` held at once.
        Map<Misbehaviour.Kind, Integer> kinds = awaitMisbehaviours(node, Misbehaviour.Kind.HANDSHAKE_TIMEOUT, limit);
        assertThat(kinds.getOrDefault(Misbehaviour.Kind.LIMIT_EXCEEDED, 0)).isPositive();
        List<Long> heldClosedAt = new ArrayList<>();
        for (int i = 0; i < lifeNanos.length; i++) {
            if (lifeNanos[i] >= timeout.toNanos()) {
                heldClosedAt.add(closedAt[i]);
            }
        }
        assertThat(heldClosedAt).as("our connections that lived until the handshake deadline").isNotEmpty();
        assertThat(mostAtOnce(heldClosedAt, timeout)).as("held at once").isLessThanOrEqualTo(limit);

        Peer peer = legitimate.connect(address, ProofNodes.WAIT);
        assertThat(peer.transport()).isEqualTo(Transport.UDT);
        peer.close();
        Resources after = settle(before);
        assertThat(after.crustThreads()).as("threads: %s, then %s", before, after).isLessThanOrEqualTo(before.crustThreads());
        // Heap is recorded, not asserted: every crust-udt peer connection keeps about 20 MiB reachable after it
        // closes, for as long as the node lives (reported with issue 7's results; see docs/reliability.md F7).
        long[] refusedMillis = Arrays.stream(lifeNanos).filter(n -> n < timeout.toNanos()).map(n -> n / 1_000_000).sorted().toArray();
        long[] heldMillis = Arrays.stream(lifeNanos).filter(n -> n >= timeout.toNanos()).map(n -> n / 1_000_000).sorted().toArray();
        Figures.print("stalled-udt", "%d crust-udt connections sending nothing, limit %d, timeout %d ms: %d refused after %s ms, "
                + "%d ended at or after the deadline, after %s ms; events %s; before %s | held (both ends in this JVM) %s | "
                + "after %s", limit + extra, limit, timeout.toMillis(), refusedMillis.length, range(refusedMillis),
                heldMillis.length, range(heldMillis), kinds, before, held, after);
    }

    /**
     * One host that connects and sends nothing holds at most its address's share of the pending
     * handshakes (docs/reliability.md F1): a peer from another address gets in at its first attempt.
     */
    @Test
    void oneAddressHoldsOnlyItsShareOfTheHandshakeSlots() throws Exception {
        int limit = 8;
        int perAddress = 2;
        Duration timeout = Duration.ofSeconds(30);
        CrustNode node = nodes.start(c -> c.maxPendingHandshakes(limit).maxPendingHandshakesPerAddress(perAddress)
                .handshakeTimeout(timeout));
        CrustNode legitimate = nodes.start(); // dials from 127.0.0.1
        InetSocketAddress address = ProofNodes.tcp(node);
        InetAddress attackerAddress = InetAddress.getByName("127.0.0.2");
        EventCounter counter = new EventCounter(node);
        List<Attacker> attackers = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                attackers.add(Attacker.open(address, new byte[0], attackerAddress));
            }
            // All but the address's share are refused at once (closed without waiting for the timeout).
            long refusedQuickly = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (Attacker a : attackers) {
                if (a.awaitClosed(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    refusedQuickly++;
                }
            }
            assertThat(refusedQuickly).isEqualTo(limit - perAddress);
            Peer peer = legitimate.connect(address, ProofNodes.WAIT);
            assertThat(peer.id()).isEqualTo(node.id());
            counter.stop();
            assertThat(counter.reasons).anyMatch(r -> r.contains("from 127.0.0.2"));
            Figures.print("per-address", "%d held connections from one address, limit %d in all and %d per address: %d refused at "
                    + "once, the other %d held; a peer from another address connected at its first attempt",
                    limit, limit, perAddress, refusedQuickly, limit - refusedQuickly);
        } finally {
            for (Attacker a : attackers) {
                a.close();
            }
        }
    }

    @Test
    void aLegitimatePeerGetsThroughWhileAttackersKeepEveryHandshakeSlotBusy() throws Exception {
        int limit = 4;
        Duration timeout = Duration.ofSeconds(2);
        CrustNode node = nodes.start(c -> c.maxPendingHandshakes(limit).maxPendingHandshakesPerAddress(limit).maxPendingHandshakesPerPrefix(limit).handshakeTimeout(timeout));
        CrustNode legitimate = nodes.start();
        InetSocketAddress address = ProofNodes.tcp(node);
        Resources before = Resources.now();
        EventCounter counter = new EventCounter(node);

        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong connections = new AtomicLong();
        List<Long> heldClosedAtNanos = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 2 * limit; i++) {
            threads.add(Thread.ofVirtual().name("attacker-" + i).start(() -> {
                while (flooding.get()) {
                    try {
                        Attacker attacker = Attacker.open(address, new byte[0]);
                        connections.incrementAndGet();
                        attacker.awaitClosed();
                        if (attacker.openNanos() >= timeout.toNanos()) {
                            heldClosedAtNanos.add(attacker.closedAtNanos());
                        }
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }));
        }

        assertThat(counter.firstRefusal.await(ProofNodes.WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("the attackers filled every slot").isTrue();
        int attempts = 0;
        long start = System.nanoTime();
        Peer peer = null;
        try {
            while (peer == null && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(120)) {
                attempts++;
                try {
                    peer = legitimate.connect(address, Duration.ofSeconds(10));
                } catch (CrustException refused) {
                    // every slot was taken by an attacker when our connection was accepted: try again
                }
            }
        } finally {
            flooding.set(false);
            for (Thread t : threads) {
                t.join(ProofNodes.WAIT);
            }
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(peer).as("the legitimate peer connected within 120 s of flood").isNotNull();
        assertThat(peer.id()).isEqualTo(node.id());
        int mostHeldAtOnce = mostAtOnce(heldClosedAtNanos, timeout);
        assertThat(mostHeldAtOnce).as("attacker connections held at once").isBetween(1, limit);
        peer.close();
        counter.stop();
        Resources after = settle(before);
        assertThat(after.crustThreads()).as("threads: %s, then %s", before, after).isLessThanOrEqualTo(before.crustThreads());
        Figures.print("sustained", "%d attacker threads reconnecting at once, limit %d, timeout %d ms: %d attacker connections, "
                + "%d held to the timeout, at most %d at once; once every slot was taken, the legitimate peer connected after "
                + "%d attempts in %d ms; "
                + "events %s; before %s, after %s", 2 * limit, limit, timeout.toMillis(), connections.get(),
                heldClosedAtNanos.size(), mostHeldAtOnce, attempts, tookMillis, counter.kinds(), before, after);
    }

    private static String range(long[] sortedMillis) {
        return sortedMillis.length == 0 ? "-" : sortedMillis[0] + ".." + sortedMillis[sortedMillis.length - 1];
    }

    /**
     * The most connections held at one instant. A held connection was accepted at the latest
     * {@code timeout} before the node cut it (the deadline never fires early). The attacker sees the cut
     * later, by however long its virtual thread waits for a carrier: on a loaded machine that has been
     * hundreds of milliseconds, which shifted one estimated life past the start of the next holder of
     * the slot and counted 5 held at once against a limit of 4. So a life is taken as
     * {@code [seen - timeout, seen - OBSERVATION_DELAY]}, which lies inside the real one for any delay
     * up to {@link #OBSERVATION_DELAY}: the count can be low, never high. A broken limit (all 8
     * attackers held together for most of the timeout) still shows.
     */
    private static int mostAtOnce(List<Long> closedAtNanos, Duration timeout) {
        List<long[]> edges = new ArrayList<>();
        synchronized (closedAtNanos) {
            for (long closed : closedAtNanos) {
                edges.add(new long[] {closed - timeout.toNanos(), +1});
                edges.add(new long[] {closed - OBSERVATION_DELAY.toNanos(), -1});
            }
        }
        edges.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        int open = 0;
        int most = 0;
        for (long[] edge : edges) {
            open += (int) edge[1];
            most = Math.max(most, open);
        }
        return most;
    }

    private static boolean tryConnect(CrustNode from, InetSocketAddress to, Duration timeout) {
        try {
            from.connect(to, timeout).close();
            return true;
        } catch (CrustException e) {
            return false;
        }
    }

    /** Counts misbehaviour kinds until {@code kind} was seen at least {@code count} times, then what follows at once. */
    private static Map<Misbehaviour.Kind, Integer> awaitMisbehaviours(CrustNode node, Misbehaviour.Kind kind, int count)
            throws InterruptedException {
        Map<Misbehaviour.Kind, Integer> kinds = new EnumMap<>(Misbehaviour.Kind.class);
        long deadline = System.nanoTime() + ProofNodes.WAIT.toNanos();
        while (kinds.getOrDefault(kind, 0) < count && System.nanoTime() < deadline) {
            Optional<CrustEvent> event = Nodes.poll(node, Duration.ofSeconds(1));
            if (event.isPresent() && event.get() instanceof Misbehaviour m) {
                kinds.merge(m.kind(), 1, Integer::sum);
            }
        }
        for (CrustEvent e : ProofNodes.drain(node, Duration.ofMillis(200))) {
            if (e instanceof Misbehaviour m) {
                kinds.merge(m.kind(), 1, Integer::sum);
            }
        }
        assertThat(kinds.getOrDefault(kind, 0)).as("%s events: %s", kind, kinds).isGreaterThanOrEqualTo(count);
        return kinds;
    }

    /**
     * Resources once the flood's sockets are closed and its handshake threads have ended. Thread dumps are
     * taken only once the file descriptors are back, when the process is quiet (see {@link Resources}).
     */
    static Resources settle(Resources before) throws InterruptedException {
        CountDownLatch pause = new CountDownLatch(1);
        for (int i = 0; i < 40 && Resources.countFileDescriptors() > before.fileDescriptors(); i++) {
            pause.await(500, TimeUnit.MILLISECONDS);
        }
        Resources now = Resources.now();
        for (int i = 0; i < 3 && now.crustThreads() > before.crustThreads(); i++) {
            pause.await(1, TimeUnit.SECONDS);
            now = Resources.now();
        }
        return now;
    }

    /** Drains a node's events on a virtual thread, counting misbehaviour kinds, as an application must. */
    static final class EventCounter {
        private final Map<Misbehaviour.Kind, AtomicInteger> kinds = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        /** Counted down at the first {@code LIMIT_EXCEEDED}: from then on every slot is taken. */
        final CountDownLatch firstRefusal = new CountDownLatch(1);
        /** The reasons of the misbehaviour events seen (the first 100). */
        final List<String> reasons = Collections.synchronizedList(new ArrayList<>());

        EventCounter(CrustNode node) {
            thread = Thread.ofVirtual().name("event-counter").start(() -> {
                try {
                    while (running.get()) {
                        Nodes.poll(node, Duration.ofMillis(100)).ifPresent(e -> {
                            if (e instanceof Misbehaviour m) {
                                kinds.computeIfAbsent(m.kind(), k -> new AtomicInteger()).incrementAndGet();
                                if (reasons.size() < 100) {
                                    reasons.add(m.detail());
                                }
                                if (m.kind() == Misbehaviour.Kind.LIMIT_EXCEEDED) {
                                    firstRefusal.countDown();
                                }
                            }
                        });
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        Map<Misbehaviour.Kind, Integer> kinds() {
            Map<Misbehaviour.Kind, Integer> copy = new EnumMap<>(Misbehaviour.Kind.class);
            kinds.forEach((k, v) -> copy.put(k, v.get()));
            return copy;
        }
    }

    /** A raw TCP connection that sends some bytes (maybe none) and then waits for the node to close it. */
    static final class Attacker {
        private final Socket socket;
        private final long openedAtNanos;
        private final Thread watcher;
        private volatile long closedAtNanos;

        private Attacker(Socket socket, long openedAtNanos) {
            this.socket = socket;
            this.openedAtNanos = openedAtNanos;
            this.watcher = Thread.ofVirtual().start(this::watch);
        }

        static Attacker open(InetSocketAddress address, byte[] bytes) throws IOException {
            return open(address, bytes, null);
        }

        /** As {@link #open(InetSocketAddress, byte[])} from {@code local} (any loopback address on Linux), if not null. */
        static Attacker open(InetSocketAddress address, byte[] bytes, InetAddress local) throws IOException {
            Socket socket = new Socket();
            if (local != null) {
                socket.bind(new InetSocketAddress(local, 0));
            }
            // Taken before connecting: the node can accept, and start its deadline, before connect() returns here.
            long openedAtNanos = System.nanoTime();
            socket.connect(address, 10_000);
            Attacker attacker = new Attacker(socket, openedAtNanos);
            if (bytes.length > 0) {
                try {
                    socket.getOutputStream().write(bytes);
                } catch (IOException refusedAlready) {
                    // the node may have closed us first
                }
            }
            return attacker;
        }

        private void watch() {
            try (socket; InputStream in = socket.getInputStream()) {
                socket.setSoTimeout((int) ProofNodes.WAIT.toMillis() * 2);
                while (in.read() >= 0) {
                    // the node sends nothing before our first message; discard whatever comes
                }
            } catch (IOException e) {
                // reset or timeout: the connection ended either way
            } finally {
                closedAtNanos = System.nanoTime();
            }
        }

        void awaitClosed() throws InterruptedException {
            watcher.join();
        }

        /** True if the node closed the connection within {@code wait}. */
        boolean awaitClosed(Duration wait) throws InterruptedException {
            return watcher.join(wait);
        }

        void close() throws IOException {
            socket.close();
        }

        long closedAtNanos() {
            return closedAtNanos;
        }

        long openNanos() {
            return closedAtNanos - openedAtNanos;
        }
    }
}
