package io.crust.core.proof;

import io.crust.core.CrustEvent;
import io.crust.core.service.Nodes;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A churn run: {@code slots} loopback nodes in this JVM join (start and dial a few live nodes), leave
 * ({@link CrustNode#close()}), drop single peers and send messages to random connected peers the whole
 * time. Every message is accounted for by a {@link Ledger}. Resources are measured before the first node
 * starts and after the last one closed, with samples in between.
 *
 * <p>Each incarnation of a node (a "life") has an event thread, which drains the node's events as an
 * application must, and a sender thread. Slots keep their data directory, so a node that rejoins has the
 * same peer id, as a restarted peer would.
 */
final class ChurnSoak {
    /**
     * @param duration how long the churn runs (then senders stop, messages settle, nodes close)
     * @param slots node slots; between half of them and all of them are alive at any time
     * @param dialsPerJoin how many live nodes a joining node dials
     * @param churnInterval time between two churn actions (join, leave or drop)
     * @param sendInterval pause between two messages of one sender
     * @param sampleInterval time between two resource samples
     */
    record Settings(Path dir, Duration duration, int slots, int dialsPerJoin, Duration churnInterval,
            Duration sendInterval, Duration sampleInterval, long seed) {
    }

    /** One resource sample during the run. */
    record Sample(long elapsedSeconds, int liveNodes, int connections, Resources resources) {
        @Override
        public String toString() {
            return String.format("t=%ds live=%d connections=%d %s", elapsedSeconds, liveNodes, connections, resources);
        }
    }

    /**
     * What a run did and left behind; {@code leaves} includes the final closing of every node,
     * {@code churnLeaves} only the leaves during the run.
     */
    record Outcome(Ledger.Tally tally, int joins, int leaves, int churnLeaves, int drops, int dials, int failedDials, boolean settled,
            Resources before, Resources after, List<Sample> samples, long runSeconds) {
    }

    private final Settings settings;
    private final Consumer<String> log;
    private final Ledger ledger = new Ledger();
    private final Random random;
    private final Life[] lives;
    private final AtomicLong lifeIds = new AtomicLong();
    private final CountDownLatch never = new CountDownLatch(1);
    private int joins;
    private int leaves;
    private int churnLeaves;
    private int drops;
    private int dials;
    private int failedDials;

    ChurnSoak(Settings settings, Consumer<String> log) {
        this.settings = settings;
        this.log = log;
        this.random = new Random(settings.seed());
        this.lives = new Life[settings.slots()];
    }

    Outcome run() throws Exception {
        warmUp();
        Resources before = Resources.now();
        log.accept("before: " + before);
        long start = System.nanoTime();
        long end = start + settings.duration().toNanos();
        long nextSample = start;
        List<Sample> samples = new ArrayList<>();
        for (int slot = 0; slot < settings.slots(); slot++) {
            join(slot);
        }
        while (System.nanoTime() < end) {
            if (System.nanoTime() >= nextSample) {
                samples.add(sample(start));
                log.accept(samples.getLast().toString());
                nextSample += settings.sampleInterval().toNanos();
            }
            never.await(settings.churnInterval().toNanos(), TimeUnit.NANOSECONDS);
            churnOnce();
        }
        for (Life life : lives) {
            if (life != null) {
                life.stopSending();
            }
        }
        boolean settled = ledger.awaitSettled(ProofNodes.WAIT.toNanos());
        samples.add(sample(start));
        log.accept(samples.getLast().toString());
        long runSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        for (int slot = 0; slot < lives.length; slot++) {
            leave(slot);
        }
        Ledger.Tally tally = ledger.tally();
        Resources after = settledResources(before);
        log.accept("after: " + after);
        log.accept("platform threads at the end, by name: " + platformThreadNames());
        log.accept(tally.toString());
        return new Outcome(tally, joins, leaves, churnLeaves, drops, dials, failedDials, settled, before, after, samples, runSeconds);
    }

    /** Loads the classes and JIT paths of a connection once, so the "before" figures are not taken cold. */
    private void warmUp() throws Exception {
        Path dir = settings.dir().resolve("warm-up");
        try (CrustNode a = CrustNode.start(ProofNodes.config(Files.createDirectories(dir.resolve("a"))).build());
                CrustNode b = CrustNode.start(ProofNodes.config(Files.createDirectories(dir.resolve("b"))).build())) {
            b.connect(ProofNodes.tcp(a), ProofNodes.WAIT).send(new byte[100]);
            ProofNodes.await(a, CrustEvent.MessageReceived.class);
        }
    }

    /**
     * Resources once closed nodes' sockets are released (close waits for their threads). The thread dump
     * is taken last, when the process is quiet (see {@link Resources}).
     */
    private static Resources settledResources(Resources before) throws InterruptedException {
        CountDownLatch pause = new CountDownLatch(1);
        for (int i = 0; i < 20 && Resources.countFileDescriptors() > before.fileDescriptors(); i++) {
            pause.await(500, TimeUnit.MILLISECONDS);
        }
        return Resources.now();
    }

    /** Live platform threads grouped by name with digits removed, e.g. {@code {ForkJoinPool-#-worker-#=2}}. */
    private static Map<String, Integer> platformThreadNames() {
        Map<String, Integer> names = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
        return names;
    }

    private Sample sample(long start) {
        int live = 0;
        int connections = 0;
        for (Life life : lives) {
            if (life != null) {
                live++;
                connections += life.node.peers().size();
            }
        }
        return new Sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), live, connections,
                Resources.withoutThreadDump());
    }

    private void churnOnce() throws Exception {
        List<Integer> alive = new ArrayList<>();
        List<Integer> dead = new ArrayList<>();
        for (int slot = 0; slot < lives.length; slot++) {
            (lives[slot] != null ? alive : dead).add(slot);
        }
        int action = random.nextInt(3);
        if (!dead.isEmpty() && (action == 0 || alive.size() <= lives.length / 2)) {
            join(dead.get(random.nextInt(dead.size())));
        } else if (action == 1 && alive.size() > lives.length / 2) {
            leave(alive.get(random.nextInt(alive.size())));
            churnLeaves++;
        } else {
            Life life = lives[alive.get(random.nextInt(alive.size()))];
            List<Peer> peers = life.node.peers();
            if (!peers.isEmpty()) {
                Peer victim = peers.get(random.nextInt(peers.size()));
                ledger.closedByUs(life.id, victim.id());
                victim.close();
                drops++;
            }
        }
    }

    private void join(int slot) throws IOException {
        Path dir = Files.createDirectories(settings.dir().resolve("slot-" + slot));
        CrustNode node = CrustNode.start(ProofNodes.config(dir).build());
        Life life = new Life(lifeIds.incrementAndGet(), node);
        List<CrustNode> targets = new ArrayList<>();
        for (Life other : lives) {
            if (other != null) {
                targets.add(other.node);
            }
        }
        lives[slot] = life;
        joins++;
        for (int i = 0; i < settings.dialsPerJoin() && !targets.isEmpty(); i++) {
            CrustNode target = targets.remove(random.nextInt(targets.size()));
            dials++;
            try {
                node.connect(ProofNodes.tcp(target), ProofNodes.WAIT);
            } catch (CrustException e) {
                failedDials++;
                log.accept("dial failed: " + e.getMessage());
            }
        }
    }

    private void leave(int slot) throws InterruptedException {
        Life life = lives[slot];
        if (life == null) {
            return;
        }
        lives[slot] = null;
        life.stopSending();
        ledger.lifeEnded(life.id);
        life.node.close();
        life.nodeClosed = true;
        life.events.join();
        leaves++;
    }

    /** One incarnation of a node with its event and sender threads. */
    private final class Life {
        final long id;
        final CrustNode node;
        final CountDownLatch stop = new CountDownLatch(1);
        final Thread events;
        final Thread sender;
        final Random bodies;
        volatile boolean nodeClosed;

        Life(long id, CrustNode node) {
            this.id = id;
            this.node = node;
            this.bodies = new Random(settings.seed() ^ id);
            this.events = Thread.ofVirtual().name("soak-events-" + id).start(this::drainEvents);
            this.sender = Thread.ofVirtual().name("soak-send-" + id).start(this::send);
        }

        /** Runs until the node is closed and its queue is empty, as an application's event loop would. */
        private void drainEvents() {
            try {
                while (true) {
                    Optional<CrustEvent> event = Nodes.poll(node, Duration.ofMillis(200));
                    if (event.isEmpty()) {
                        if (nodeClosed) {
                            return;
                        }
                        continue;
                    }
                    switch (event.get()) {
                        case CrustEvent.MessageReceived m -> ledger.received(m.message());
                        case CrustEvent.PeerLost l -> ledger.peerLost(id, l.peer());
                        default -> { }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }


        private void send() {
            try {
                while (!stop.await(settings.sendInterval().toNanos(), TimeUnit.NANOSECONDS)) {
                    List<Peer> peers = node.peers();
                    if (peers.isEmpty()) {
                        continue;
                    }
                    Peer to = peers.get(bodies.nextInt(peers.size()));
                    byte[] body = ledger.beforeSend(id, to.id(), 16 + bodies.nextInt(4096));
                    try {
                        to.send(body);
                    } catch (CrustException e) {
                        ledger.sendFailed(body);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stopSending() throws InterruptedException {
            stop.countDown();
            if (!sender.join(Duration.ofSeconds(30))) {
                sender.interrupt();
                sender.join();
            }
        }
    }
}
