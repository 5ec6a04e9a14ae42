package io.crust.demo.peer;

import static io.crust.demo.peer.FaultWatch.all;
import static io.crust.demo.peer.FaultWatch.awaitEvent;
import static io.crust.demo.peer.FaultWatch.awaitTrue;
import static io.crust.demo.peer.FaultWatch.find;
import static io.crust.demo.peer.FaultWatch.partialBytes;
import static io.crust.demo.peer.FaultWatch.seconds;
import static io.crust.demo.peer.JsonPeer.field;
import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of issue 7 item 4, each scripted in the NAT lab against real demo peers ({@code peer --json},
 * one JVM per peer in its own namespace) and measured: the figures are printed, the assertions are on
 * outcomes only. Faults b1, d1 and a share one {@link ConeLab} (two port-restricted cone sites and a
 * public bootstrap peer; A connected to B by peer id through it), the kill last because it ends B;
 * d2, b2 and b3, which can end A and B's connection and reconnect them, share a second one; the UPnP and
 * relay faults build their own labs. docs/faults.md has the figures of named runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabFaultsTest {
    /** The demo's heartbeat timeout (crust-core default); a lost peer must be noticed within it, plus slack for a loaded machine. */
    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(8);
    private static final Duration LOST_WITHIN = HEARTBEAT_TIMEOUT.plusSeconds(12);
    private static final Duration LOSS_BURST = Duration.ofSeconds(4);
    private static final Duration LONG_LOSS_BURST = Duration.ofSeconds(7);
    private static final int BURST_FILE_BYTES = 16 << 20;
    private static final int KILL_FILE_BYTES = 16 << 20;
    private static final int KILL_MESSAGES = 200;
    private static final int RELAY_FILE_BYTES = 24 << 20;
    /** B's router link to B is held to this rate while a file moves, so the transfer is surely still running when a fault hits. */
    private static final int LINK_MBIT = 40;
    private static final Duration SETTLE_BUG_WAIT = Duration.ofSeconds(20);
    /**
     * How long the UPnP fault watches for a mapping to come back after the router's reboot: crust-nat's
     * default check interval (10 s) plus a margin, in case the restart announcement is not heard.
     */
    private static final Duration UPNP_WATCH = Duration.ofSeconds(15);

    /** One folder for the whole class: the shared lab's peers keep their data directories from test to test. */
    @TempDir
    static Path dir;

    private ConeLab cone;
    private ConeLab secondCone;

    /** The lab of faults b1, d1 and a (in that order: the kill ends B). */
    private ConeLab coneLab() throws Exception {
        if (cone == null) {
            cone = ConeLab.start("faults", dir.resolve("cone"));
        }
        return cone;
    }

    /** The lab of the faults that may end A and B's connection and reconnect them (d2, b2), apart from the others. */
    private ConeLab secondConeLab() throws Exception {
        if (secondCone == null) {
            secondCone = ConeLab.start("rebind", dir.resolve("rebind"));
        }
        return secondCone;
    }

    @AfterAll
    void closeLabs() throws Exception {
        closeConeLab();
        if (secondCone != null) {
            secondCone.close();
            secondCone = null;
        }
    }

    private void closeConeLab() throws Exception {
        if (cone != null) {
            cone.close();
            cone = null;
        }
    }

    /**
     * Fault b: {@code conntrack -F} on both routers between two connected peers. Linux masquerade gives
     * the same external port again to the next packet out, so the peers' heartbeats and messages rebuild
     * the mappings; the test measures how long until a message each way arrives, and if the connection
     * was lost instead, reconnects by id and measures that.
     */
    @Test
    @Order(1)
    void flushedNatMappingsAreRebuiltAndMessagesStillArriveBothWays() throws Exception {
        ConeLab c = coneLab();
        int markA = c.a().lines().size();
        int markB = c.b().lines().size();
        long flushStart = System.nanoTime();
        c.siteA().flushMappings();
        c.siteB().flushMappings();
        long flushed = System.nanoTime();
        c.a().command("send " + c.b().id() + " after the flush, from A");
        c.b().command("send " + c.a().id() + " after the flush, from B");
        // Either both messages arrive on the same connection, or someone reports the other lost.
        awaitTrue("both messages, or a lost event", LabPeer.WAIT, () -> c.lostBetweenAAndB(markA, markB)
                || (find(c.b(), markB, "message", l -> "after the flush, from A".equals(field(l, "text"))) != null
                        && find(c.a(), markA, "message", l -> "after the flush, from B".equals(field(l, "text"))) != null));
        double recovered = seconds(flushed);
        String how = "the connection was kept";
        if (c.lostBetweenAAndB(markA, markB)) {
            // Re-established by id, as an application would; measured from the flush.
            awaitEvent(c.a(), markA, "lost", l -> c.b().id().equals(field(l, "peer")), LOST_WITHIN);
            c.a().command("connect " + c.b().id());
            awaitEvent(c.a(), markA, "connected", l -> c.b().id().equals(field(l, "peer")), LabPeer.WAIT);
            c.exchange("reconnected");
            recovered = seconds(flushed);
            how = "the connection was lost (" + all(c.a(), markA, "lost", l -> true) + ") and re-established by id";
        }
        System.out.printf("fault b (conntrack -F on both routers, the flush took %.2f s): a message each way arrived"
                + " %.2f s after the flush; %s%n", (flushed - flushStart) / 1e9, recovered, how);
        c.exchange("after-flush");
    }

    /**
     * Fault d: every packet B's router forwards is dropped for {@link #LOSS_BURST} while A sends B a
     * file. The transfer stalls, resumes when the loss ends, and the file arrives byte-exact (size and
     * SHA-256 checked by the receiver, then again here on disk); the burst is well inside the heartbeat
     * timeout, so A and B must keep their connection.
     */
    @Test
    @Order(2)
    void aFileTransferResumesAfterALossBurstAndArrivesByteExact() throws Exception {
        ConeLab c = coneLab();
        int markA = c.a().lines().size();
        int markB = c.b().lines().size();
        int markP = c.p().lines().size();
        BurstOutcome outcome = sendThroughABurst(c, LOSS_BURST, "burst.bin", 4);
        System.out.println("fault d: " + outcome);
        assertThat(outcome.sha256Received()).isEqualTo(outcome.sha256Sent());
        assertThat(outcome.sha256OnDisk()).isEqualTo(outcome.sha256Sent());
        assertThat(outcome.fileSent()).isTrue();
        assertThat(c.lostBetweenAAndB(markA, markB)).as("A and B keep their connection through the burst").isFalse();
        // B's idle TCP connection to P goes through the same router: report what happened to it.
        List<String> others = new ArrayList<>(all(c.p(), markP, "lost", l -> true));
        others.addAll(all(c.b(), markB, "lost", l -> c.p().id().equals(field(l, "peer"))));
        System.out.printf("fault d: B's TCP connection to the bootstrap peer P during the burst: %s%n",
                others.isEmpty() ? "kept" : "lost " + others);
    }

    /**
     * Fault d, longer: a burst of {@link #LONG_LOSS_BURST}, just under the heartbeat timeout, where
     * retransmission back-off can make a side go silent for longer than the timeout. Either outcome is
     * allowed, but never a silent one: the file arrives byte-exact and the sender reports it saved, or
     * the sender's {@code sendfile} fails and A and B report each other lost.
     */
    @Test
    @Order(6)
    void aLossBurstNearTheHeartbeatTimeoutEndsInAByteExactFileOrAVisibleError() throws Exception {
        ConeLab c = secondConeLab();
        int markA = c.a().lines().size();
        int markB = c.b().lines().size();
        BurstOutcome outcome = sendThroughABurst(c, LONG_LOSS_BURST, "long-burst.bin", 7);
        boolean lost = c.lostBetweenAAndB(markA, markB);
        String sides = "connection kept";
        if (lost) {
            awaitEvent(c.a(), markA, "lost", l -> c.b().id().equals(field(l, "peer")), LOST_WITHIN);
            sides = "A reported B lost; " + receiverSide(c, markB);
        }
        System.out.println("fault d (long burst): " + outcome + "; " + sides);
        if (outcome.fileSent()) {
            assertThat(outcome.sha256Received()).isEqualTo(outcome.sha256Sent());
            assertThat(outcome.sha256OnDisk()).isEqualTo(outcome.sha256Sent());
        } else {
            assertThat(outcome.error()).as("sendfile failed visibly").isNotNull();
            assertThat(find(c.a(), markA, "lost", l -> c.b().id().equals(field(l, "peer")))).isNotNull();
            // B may have saved the whole file before the connection was declared lost, with only its
            // verdict lost on the way back: A then reports a failure for a file that did arrive. What
            // B saved must still be byte-exact.
            String saved = find(c.b(), markB, "file", l -> true);
            if (saved != null) {
                assertThat(field(saved, "sha256")).isEqualTo(outcome.sha256Sent());
            }
        }
    }

    /**
     * Whether B, too, reported A lost (within {@link #LOST_WITHIN} of now). Not asserted: B has been
     * seen to keep a connection that A had already declared lost (docs/faults.md, bugs).
     */
    private static String receiverSide(ConeLab c, int markB) throws Exception {
        long start = System.nanoTime();
        try {
            String lost = awaitEvent(c.b(), markB, "lost", l -> c.a().id().equals(field(l, "peer")), LOST_WITHIN);
            return "B reported A lost (" + field(lost, "reason") + ")";
        } catch (AssertionError e) {
            return String.format("B did NOT report A lost within %.0f s more", seconds(start));
        }
    }

    /** A sendfile of a {@link #BURST_FILE_BYTES} random file from A to B, and where to look for its outcome. */
    private record Sendfile(Path file, String sha256, Path received, int markA, int markB, long startNanos) {
        /** Writes the file, has A send it, and returns once B has written 512 KiB of it. */
        static Sendfile startedAndUnderWay(ConeLab c, String name, long seed) throws Exception {
            Path file = c.base().resolve(name);
            String sha256 = FaultWatch.randomFile(file, BURST_FILE_BYTES, seed);
            Path received = c.base().resolve("b").resolve("received");
            Sendfile t = new Sendfile(file, sha256, received, c.a().lines().size(), c.b().lines().size(), System.nanoTime());
            c.a().command("sendfile " + c.b().id() + " " + file);
            awaitTrue("B writing the file", LabPeer.WAIT, () -> partialBytes(received) >= 512 * 1024);
            return t;
        }

        /** Waits until A reports the file saved ({@code file-sent}) or failed ({@code error}). */
        void awaitVerdict(ConeLab c, Duration wait) throws Exception {
            awaitTrue("A's verdict on the file", wait, () -> find(c.a(), markA, "file-sent", l -> true) != null || error(c) != null);
        }

        /** A's error line about this file, or null. */
        String error(ConeLab c) {
            String name = file.toString();
            return find(c.a(), markA, "error", l -> field(l, "message").contains(name));
        }
    }

    /**
     * A sends B a {@link #BURST_FILE_BYTES} file over a {@link #LINK_MBIT} Mbit/s link; once B has
     * written 512 KiB, B's router drops everything for {@code burst} (timed inside its namespace).
     * Waits until A reports the file saved ({@code file-sent}) or failed ({@code error}).
     */
    private BurstOutcome sendThroughABurst(ConeLab c, Duration burst, String name, long seed) throws Exception {
        RouterFaults.limitRate(c.siteB(), LINK_MBIT);
        try {
            Sendfile t = Sendfile.startedAndUnderWay(c, name, seed);
            String sha256 = t.sha256();
            Path received = t.received();
            int markA = t.markA();
            int markB = t.markB();
            LabProcess dropping = RouterFaults.dropEverything(c.siteB(), burst);
            dropping.awaitLine("on"::equals, LabPeer.WAIT);
            long bytesAtBurst = partialBytes(received);
            assertThat(find(c.b(), markB, "file", l -> true)).as("the transfer is still running when the burst starts").isNull();
            long[] largest = {bytesAtBurst};
            awaitTrue("the end of the burst", LabPeer.WAIT.plus(burst), () -> {
                largest[0] = Math.max(largest[0], partialBytes(received));
                return dropping.lines().contains("off");
            });
            long bytesAtEnd = Math.max(largest[0], partialBytes(received));
            double resume = -1;
            try {
                resume = awaitTrue("the transfer resuming", LabPeer.WAIT, () -> partialBytes(received) > bytesAtEnd
                        || find(c.b(), markB, "file", l -> true) != null || find(c.a(), markA, "lost", l -> true) != null);
            } catch (AssertionError e) {
                // reported as "did not resume"; the verdict below decides
            }
            if (find(c.a(), markA, "lost", l -> c.b().id().equals(field(l, "peer"))) != null && partialBytes(received) <= bytesAtEnd) {
                resume = -1;
            }
            t.awaitVerdict(c, LabPeer.WAIT);
            double total = seconds(t.startNanos());
            String error = t.error(c);
            String got = find(c.b(), markB, "file", l -> true);
            return new BurstOutcome(burst, bytesAtBurst / 1024, (bytesAtEnd - bytesAtBurst) / 1024,
                    resume, total, BURST_FILE_BYTES, sha256, got == null ? null : field(got, "sha256"),
                    got == null ? null : FaultWatch.sha256(Path.of(field(got, "path"))),
                    find(c.a(), markA, "file-sent", l -> field(l, "sha256").equals(sha256)) != null,
                    error == null ? null : field(error, "message"));
        } finally {
            RouterFaults.unlimitRate(c.siteB());
        }
    }

    /**
     * Fault a: B is killed with SIGKILL while A sends it a file and the bootstrap peer P sends it
     * numbered text messages. Both report B {@code lost}; A never reports the file delivered
     * ({@code file-sent} needs B's verdict) and its {@code sendfile} ends in an error; B received a
     * prefix of P's messages, in order, without gaps or duplicates. What the API cannot say is which of
     * the messages {@code send} had accepted (queued) were not delivered: the sender learns only that
     * the peer was lost. The test counts those.
     */
    @Test
    @Order(3)
    void aPeerKilledMidConversationIsReportedLostAndNothingUndeliveredIsReportedDelivered() throws Exception {
        ConeLab c = coneLab();
        try {
            LabPeer a = c.a();
            LabPeer b = c.b();
            LabPeer p = c.p();
            ConeLab.ensureConnected(b, p, c.contact());
            int markPeers = a.lines().size();
            a.command("peers");
            String pathToB = awaitEvent(a, markPeers, "peers", l -> true, LabPeer.WAIT).replaceAll(".*\\{([^}]*" + b.id() + "[^}]*)}.*", "$1");
            Path file = c.base().resolve("kill.bin");
            FaultWatch.randomFile(file, KILL_FILE_BYTES, 1);
            Path received = c.base().resolve("b").resolve("received");
            int markA = a.lines().size();
            int markB = b.lines().size();
            int markP = p.lines().size();
            RouterFaults.limitRate(c.siteB(), LINK_MBIT);
            a.command("sendfile " + b.id() + " " + file);
            awaitTrue("B writing the file", LabPeer.WAIT, () -> partialBytes(received) >= 1024 * 1024);
            // Half the messages are seen arriving, the other half is still being sent when B dies.
            for (int i = 1; i <= KILL_MESSAGES; i++) {
                p.command("send " + b.id() + " m-" + i);
                if (i == KILL_MESSAGES / 2) {
                    awaitEvent(b, markB, "message", l -> ("m-" + KILL_MESSAGES / 2).equals(field(l, "text")), LabPeer.WAIT);
                }
            }
            ProcessHandle.of(b.pid()).orElseThrow().destroyForcibly();
            long killed = System.nanoTime();

            String lostByP = awaitEvent(p, markP, "lost", l -> b.id().equals(field(l, "peer")), LOST_WITHIN);
            double lostP = seconds(killed);
            String lostByA = awaitEvent(a, markA, "lost", l -> b.id().equals(field(l, "peer")), LOST_WITHIN);
            double lostA = seconds(killed);
            String fileError = awaitEvent(a, markA, "error", l -> field(l, "message").contains(file.toString()), LabPeer.WAIT);
            double fileErrorSeconds = seconds(killed);

            List<String> texts = all(b, markB, "message", l -> p.id().equals(field(l, "peer"))).stream()
                    .map(l -> field(l, "text")).toList();
            p.command("id");   // commands run in order: once it answers, every send has had its answer
            awaitEvent(p, markP, "id", l -> true, LabPeer.WAIT);
            int failed = all(p, markP, "error", l -> true).size();
            System.out.printf("fault a (SIGKILL to B while A sends a %d MiB file and P %d messages): P reported lost after"
                            + " %.2f s (TCP, \"%s\"), A after %.2f s (%s, \"%s\"); A's sendfile failed after %.2f s (\"%s\");"
                            + " B had received %d of P's messages, %d sends were refused after the loss,"
                            + " %d were accepted by send() and never arrived (the sender only learns 'lost')%n",
                    KILL_FILE_BYTES >> 20, KILL_MESSAGES, lostP, field(lostByP, "reason"), lostA, pathToB,
                    field(lostByA, "reason"), fileErrorSeconds, field(fileError, "message"), texts.size(), failed,
                    KILL_MESSAGES - texts.size() - failed);
            assertThat(texts).as("a prefix of what P sent, in order, no gaps, no duplicates")
                    .isEqualTo(IntStream.rangeClosed(1, texts.size()).mapToObj(i -> "m-" + i).toList());
            assertThat(texts.size()).isGreaterThanOrEqualTo(KILL_MESSAGES / 2);
            assertThat(texts.size() + failed).isLessThanOrEqualTo(KILL_MESSAGES);
            assertThat(all(a, markA, "file-sent", l -> true)).as("no file reported delivered").isEmpty();
            assertThat(find(b, markB, "file", l -> true)).isNull();
        } catch (AssertionError e) {
            throw c.withRecentLines(e);
        } finally {
            closeConeLab();
        }
    }

    /**
     * Fault c: the UPnP router's miniupnpd is killed and started again, first as a daemon restart (its
     * nft rules stay, as miniupnpd leaves them), then as a reboot (its rules and the conntrack table are
     * wiped too). B asked for its mappings at start (PCP, NAT-PMP or UPnP, one-hour lease); crust-nat
     * hears the router's restart announcement, or finds the loss at its next check (every 10 s), and maps
     * again. The test checks that a TCP connect from the internet to B's mapped port works before and after
     * the daemon restart, and that after the reboot the rule is back within the observation window and the
     * port answers again at the address B advertises.
     */
    @Test
    @Order(4)
    void aRestartedUpnpDaemonKeepsTheMappingAndARebootedRouterGetsItBackWithinSeconds() throws Exception {
        try (NatLab lab = NatLab.start("faultupnp")) {
            lab.startStunServer();
            LabHost publicHost = lab.publicHost();
            Site siteB = lab.site(NatKind.UPNP);
            String contact = publicHost.address().getHostAddress() + ":5483";
            Path base = dir.resolve("upnp");
            try (LabPeer p = LabPeer.start(publicHost, base.resolve("p"), "--listen-tcp", "5483", "--listen-udp", "5483", "--no-upnp");
                    LabPeer b = LabPeer.start(siteB.host(), base.resolve("b"), "--contact", contact)) {
                b.await("bootstrapped");
                String external = FaultWatch.awaitExternalAddress(b);
                int port = Integer.parseInt(b.startedField("tcp"));
                String mapped = siteB.publicAddress().getHostAddress() + ":" + port;
                assertThat(external).contains(mapped);
                assertThat(RouterFaults.reachable(publicHost, mapped)).as("B's mapped TCP port answers from the internet").isTrue();
                assertThat(RouterFaults.hasRule(siteB, port)).isTrue();

                long restartStart = System.nanoTime();
                siteB.restartMiniUpnpd(false);
                double restartSeconds = seconds(restartStart);
                boolean ruleAfterRestart = RouterFaults.hasRule(siteB, port);
                boolean reachableAfterRestart = RouterFaults.reachable(publicHost, mapped);

                long rebootStart = System.nanoTime();
                siteB.restartMiniUpnpd(true);
                double rebootSeconds = seconds(rebootStart);
                long watchStart = System.nanoTime();
                boolean back = false;
                while (!back && System.nanoTime() - watchStart < UPNP_WATCH.toNanos()) {
                    back = FaultWatch.largestDuring(Duration.ofMillis(500), () -> RouterFaults.hasRule(siteB, port) ? 1 : 0) == 1;
                }
                // the rule seen within the 0.5 s sampling window ending here
                double backSeconds = seconds(rebootStart);
                boolean reachableAfterReboot = RouterFaults.reachable(publicHost, mapped);
                int mark = b.lines().size();
                b.command("id");
                boolean stillAdvertised = awaitEvent(b, mark, "id", l -> true, LabPeer.WAIT).contains(mapped);
                mark = p.lines().size();
                p.command("peers");
                boolean bootstrapKept = awaitEvent(p, mark, "peers", l -> true, LabPeer.WAIT).contains(b.id());
                System.out.printf("fault c (miniupnpd, B's TCP mapping %s): daemon restart (SIGKILL, start, ready in %.2f s):"
                                + " rule %s, reachable %s; reboot (rules and conntrack wiped, ready in %.2f s): rule re-created"
                                + " within %d s: %s%s, reachable %s, B still advertises it: %s, B's connection to P kept: %s%n",
                        mapped, restartSeconds, ruleAfterRestart ? "kept" : "gone", reachableAfterRestart, rebootSeconds,
                        UPNP_WATCH.toSeconds(), back, back ? String.format(" (seen %.1f s after the kill)", backSeconds) : "",
                        reachableAfterReboot, stillAdvertised, bootstrapKept);
                assertThat(ruleAfterRestart).as("miniupnpd re-reads the rules it left behind").isTrue();
                assertThat(reachableAfterRestart).isTrue();
                // crust-nat hears miniupnpd's restart announcement (and checks every 10 s anyway): the mapping is re-created
                assertThat(back).as("mapping re-created long before the renewal").isTrue();
                assertThat(reachableAfterReboot).isTrue();
                assertThat(stillAdvertised).as("the same external port, so the advertised address is right again").isTrue();
            }
        }
    }

    /**
     * Fault e: C and D behind symmetric NATs talk through the public relay peer P; P is killed with
     * SIGKILL while C sends D a file. They cannot reach each other any other way, so the relayed
     * connection must end visibly: both report the other {@code lost}, C's {@code sendfile} ends in an
     * error, and no file is reported delivered.
     */
    @Test
    @Order(5)
    void aRelayKilledMidTransferEndsTheRelayedConnectionVisibly() throws Exception {
        try (NatLab lab = NatLab.start("faultrly")) {
            LabHost publicHost = lab.publicHost();
            Site siteC = lab.site(NatKind.SYMMETRIC);
            Site siteD = lab.site(NatKind.SYMMETRIC);
            String contact = publicHost.address().getHostAddress() + ":5483";
            Path base = dir.resolve("relay");
            try (LabPeer relay = LabPeer.start(publicHost, base.resolve("p"), "--listen-tcp", "5483", "--listen-udp", "5483",
                    "--no-upnp", "--relay");
                    LabPeer c = LabPeer.start(siteC.host(), base.resolve("c"), "--contact", contact, "--no-upnp");
                    LabPeer d = LabPeer.start(siteD.host(), base.resolve("d"), "--contact", contact, "--no-upnp")) {
                c.await("bootstrapped");
                d.await("bootstrapped");
                long connectStart = System.nanoTime();
                c.command("connect " + d.id());
                String connected = awaitEvent(c, 0, "connected", l -> d.id().equals(field(l, "peer")), LabPeer.WAIT);
                double connectSeconds = seconds(connectStart);
                assertThat(field(connected, "route")).isEqualTo("relayed");

                Path file = base.resolve("relayed.bin");
                FaultWatch.randomFile(file, RELAY_FILE_BYTES, 5);
                Path received = base.resolve("d").resolve("received");
                int markC = c.lines().size();
                int markD = d.lines().size();
                c.command("sendfile " + d.id() + " " + file);
                awaitTrue("D writing the file", LabPeer.WAIT, () -> partialBytes(received) >= 256 * 1024);
                ProcessHandle.of(relay.pid()).orElseThrow().destroyForcibly();
                long killed = System.nanoTime();
                long bytesAtKill = partialBytes(received);
                assertThat(find(d, markD, "file", l -> true)).as("the transfer is still running when the relay dies").isNull();

                awaitEvent(c, markC, "lost", l -> d.id().equals(field(l, "peer")), LOST_WITHIN);
                double lostC = seconds(killed);
                awaitEvent(d, markD, "lost", l -> c.id().equals(field(l, "peer")), LOST_WITHIN);
                double lostD = seconds(killed);
                String error = awaitEvent(c, markC, "error", l -> field(l, "message").contains(file.toString()), LabPeer.WAIT);
                double errorSeconds = seconds(killed);
                System.out.printf("fault e (relay P killed with SIGKILL %d KiB into a %d MiB relayed transfer; C reached D"
                                + " through P in %.2f s): C reported D lost after %.2f s, D reported C lost after %.2f s,"
                                + " C's sendfile failed after %.2f s (\"%s\")%n", bytesAtKill / 1024, RELAY_FILE_BYTES >> 20,
                        connectSeconds, lostC, lostD, errorSeconds, field(error, "message"));
                assertThat(all(c, markC, "file-sent", l -> true)).isEmpty();
                assertThat(find(d, markD, "file", l -> true)).isNull();
            }
        }
    }

    /**
     * Fault b, the harder kind: A's router forgets its mappings and, like many home routers after a
     * reboot, maps the open flows' next packets to new external ports ({@code masquerade fully-random}
     * until it has mapped the flow towards B again, then port-keeping masquerade for new flows). A and
     * B's connection is punched TCP when TCP simultaneous open works, as in this lab (it wins the
     * duplicate settle over crust-udt, which would follow the peer to its new port), and TCP cannot
     * follow, so the connection breaks on heartbeats and is continued by resumption: the message A
     * sent into it arrives. If it is reported lost instead, A reconnects to its bootstrap peer if
     * needed and to B by id, as an application does. Measured from the flush to the first message
     * each way.
     */
    @Test
    @Order(7)
    void aNatRebindingToNewPortsBreaksTheTcpConnectionWhichIsContinuedOrConnectedAgainById() throws Exception {
        onConnectedSecondConeLab(LabFaultsTest::rebinding);
    }

    private static void rebinding(ConeLab c) throws Exception {
        LabHost router = c.siteA().router();
        assertThat(RouterFaults.nft(router, "list", "chain", "ip", "crust_nat", "postrouting")).contains("masquerade");
        int markA = c.a().lines().size();
        int markB = c.b().lines().size();
        long flushed = giveOpenFlowsNewPorts(c, () -> c.a().command("send " + c.b().id() + " after the rebinding, from A"));
        awaitTrue("a lost event or the message", LabPeer.WAIT, () -> c.lostBetweenAAndB(markA, markB)
                || find(c.b(), markB, "message", l -> "after the rebinding, from A".equals(field(l, "text"))) != null);
        double outcomeSeconds = seconds(flushed);
        boolean lost = c.lostBetweenAAndB(markA, markB);
        String how = lost ? "" : String.format("kept (or continued: A's message arrived %.2f s after the flush)", outcomeSeconds);
        if (lost) {
            awaitEvent(c.a(), markA, "lost", l -> c.b().id().equals(field(l, "peer")), LOST_WITHIN);
            how = "lost after " + String.format("%.2f s", outcomeSeconds) + " " + all(c.a(), markA, "lost", l -> true)
                    + ", " + receiverSide(c, markB);
            ConeLab.ensureConnected(c.a(), c.p(), c.contact());
            long connectStart = System.nanoTime();
            c.a().command("connect " + c.b().id());
            awaitEvent(c.a(), markA, "connected", l -> c.b().id().equals(field(l, "peer")), LabPeer.WAIT);
            how += String.format(", reconnected by id in %.2f s", seconds(connectStart));
        }
        // A message each way on the new connection. B's answer is the one the known duplicate-settling bug
        // (issue 5) has been seen to lose after a reconnect by id: reported, not failed, until it is fixed.
        int markA2 = c.a().lines().size();
        int markB2 = c.b().lines().size();
        c.a().command("send " + c.b().id() + " after-rebinding from A");
        awaitEvent(c.b(), markB2, "message", l -> "after-rebinding from A".equals(field(l, "text")), LabPeer.WAIT);
        double aToB = seconds(flushed);
        c.b().command("send " + c.a().id() + " after-rebinding from B");
        String bToA;
        try {
            awaitEvent(c.a(), markA2, "message", l -> "after-rebinding from B".equals(field(l, "text")), SETTLE_BUG_WAIT);
            bToA = String.format("B->A %.2f s", seconds(flushed));
        } catch (AssertionError e) {
            bToA = "B->A NOT DELIVERED within " + SETTLE_BUG_WAIT.toSeconds() + " s (known duplicate-settling bug, issue 5;"
                    + " B's lines since: " + c.b().lines().subList(markB2, c.b().lines().size()) + ")";
        }
        System.out.printf("fault b2 (A's router maps to new ports after conntrack -F): connection %s; after the flush"
                + " A->B %.2f s, %s%n", how, aToB, bToA);
    }

    /**
     * Fault b3: A's router gives the open flows new ports (as in fault b2) while A sends B a
     * {@link #BURST_FILE_BYTES} file over a {@link #LINK_MBIT} Mbit/s link. The connection cannot carry
     * on; resumption (docs/connection-group.md) dials it again and resends what B did not deliver, so the
     * file must arrive byte-exact with no {@code lost} on either side, or, if the connection could not
     * be continued, the sender's {@code sendfile} must fail visibly. Measured from the rebinding.
     */
    @Test
    @Order(8)
    void aNatRebindingInTheMiddleOfAFileTransferIsContinuedAndTheFileArrivesByteExact() throws Exception {
        onConnectedSecondConeLab(LabFaultsTest::rebindingDuringATransfer);
    }

    /**
     * Runs {@code fault} on the second cone lab with A and B connected to P and to each other (an
     * earlier fault there may have ended a connection: both sides have let it go by then; reconnected
     * by id), adding the peers' recent lines to a failure.
     */
    private void onConnectedSecondConeLab(LabFault fault) throws Exception {
        ConeLab c = secondConeLab();
        try {
            ConeLab.ensureConnected(c.a(), c.p(), c.contact());
            ConeLab.ensureConnected(c.b(), c.p(), c.contact());
            ConeLab.ensureConnected(c.a(), c.b(), c.b().id());
            fault.run(c);
        } catch (AssertionError e) {
            throw c.withRecentLines(e);
        }
    }

    @FunctionalInterface
    private interface LabFault {
        void run(ConeLab c) throws Exception;
    }

    private static void rebindingDuringATransfer(ConeLab c) throws Exception {
        RouterFaults.limitRate(c.siteB(), LINK_MBIT);
        try {
            Sendfile t = Sendfile.startedAndUnderWay(c, "rebinding.bin", 11);
            String sha256 = t.sha256();
            int markA = t.markA();
            int markB = t.markB();
            long bytesAtRebinding = partialBytes(t.received());
            long flushed = giveOpenFlowsNewPorts(c, () -> { }); // the transfer's own packets get the new ports
            t.awaitVerdict(c, LabPeer.WAIT.multipliedBy(2));
            double afterFlush = seconds(flushed);
            double total = seconds(t.startNanos());
            boolean sent = find(c.a(), markA, "file-sent", l -> field(l, "sha256").equals(sha256)) != null;
            String got = find(c.b(), markB, "file", l -> true);
            boolean lost = c.lostBetweenAAndB(markA, markB);
            System.out.printf("fault b3 (A's router maps the open flows to new ports %d KiB into a %d MiB sendfile): %s;"
                    + " connection %s%n", bytesAtRebinding / 1024, BURST_FILE_BYTES >> 20,
                    sent ? String.format("arrived byte-exact (SHA-256) %.2f s after the rebinding, %.2f s after sendfile", afterFlush, total)
                            : "sendfile failed " + String.format("%.2f s after the rebinding: ", afterFlush)
                                    + field(t.error(c), "message"),
                    lost ? "lost " + all(c.a(), markA, "lost", l -> true) : "kept (continued)");
            if (sent) {
                assertThat(field(got, "sha256")).isEqualTo(sha256);
                assertThat(FaultWatch.sha256(Path.of(field(got, "path")))).isEqualTo(sha256);
                assertThat(lost).as("a continued connection is not reported lost").isFalse();
            } else {
                assertThat(find(c.a(), markA, "lost", l -> c.b().id().equals(field(l, "peer")))).as("a failed sendfile comes with a lost peer")
                        .isNotNull();
            }
        } finally {
            RouterFaults.unlimitRate(c.siteB());
        }
    }

    /**
     * What a router reboot does to the flows that were open: A's router forgets its mappings and maps
     * their next packets (the first made by {@code thenSend}) to new, random ports; once it has mapped
     * the flow towards B again, it maps new flows as before (a reboot changes the ports of the flows
     * that were open, not the kind of NAT). Returns when the mappings were flushed.
     */
    private static long giveOpenFlowsNewPorts(ConeLab c, ThrowingRunnable thenSend) throws Exception {
        LabHost router = c.siteA().router();
        RouterFaults.nft(router, "flush", "chain", "ip", "crust_nat", "postrouting");
        RouterFaults.nft(router, "add", "rule", "ip", "crust_nat", "postrouting", "oifname", "wan", "masquerade", "fully-random");
        c.siteA().flushMappings();
        long flushed = System.nanoTime();
        thenSend.run();
        String towardsB = c.siteB().publicAddress().getHostAddress();
        awaitTrue("A's router mapping a flow towards B again", LabPeer.WAIT,
                () -> router.exec(Duration.ofSeconds(10), "conntrack", "-L", "-d", towardsB).stdout().contains(towardsB));
        RouterFaults.nft(router, "flush", "chain", "ip", "crust_nat", "postrouting");
        RouterFaults.nft(router, "add", "rule", "ip", "crust_nat", "postrouting", "oifname", "wan", "masquerade");
        return flushed;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
