package io.crust.core.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * connect(PeerId) across real Linux NATs (see docs/lab.md): a public node (203.0.113.101) is the
 * bootstrap contact, rendezvous and relay; two nodes behind NATs connect to each other by peer id.
 * Each test prints the time from {@code connect} to connected, as measured inside the peer process.
 * Tests that repeat a connection do it {@code -Dcrust.lab.tries=N} times (3 unless told).
 */
class ConnectionLabTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int PORT = 5483;
    private static final int TRIES = Integer.getInteger("crust.lab.tries", 3);
    /** The acceptance bound of issue 10 for the first authenticated connection (p99); p50 is to be under 1 s. */
    private static final long FIRST_CONNECTION_MAX_MILLIS = 3000;
    /** How long a relayed connection may wait for its move to a direct path once that path is possible. */
    private static final Duration UPGRADE_WITHIN = Duration.ofSeconds(5);
    /** A connect that returns this fast found the peer already connected: nothing was raced. */
    private static final long STILL_CONNECTED_MILLIS = 2;
    /**
     * Debug logs of connecting, registering, settling and closing connections, with the time, beside each
     * peer's transcript: gathering, punching and dial failures are logged at debug, so a failure explains itself.
     */
    private static final List<String> DEBUG_CONNECT = List.of("-Dorg.slf4j.simpleLogger.log.io.crust.core.connect=debug",
            "-Dorg.slf4j.simpleLogger.log.io.crust.core.service=debug",
            "-Dorg.slf4j.simpleLogger.log.io.crust.core.peer=debug",
            "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");

    private final List<LabProcess> natedPeers = new ArrayList<>();

    /** A started lab: public nodes, and A and B behind their NATs, bootstrapped off every public node. */
    private record Pair(LabProcess a, String aId, LabProcess b, String bId, Site siteA, Site siteB) {
    }

    /** The outcome of one connect: the CONNECTED line and, if it came up relayed, its move to a direct path. */
    private record Outcome(String connected, long millis, String route, String transport, Optional<String> upgraded) {
        String finalRoute() {
            return upgraded.map(u -> u.split(" ")[4] + " " + u.split(" ")[5]).orElse(route + " " + transport);
        }
    }

    @AfterEach
    void closePeers() {
        natedPeers.forEach(LabProcess::close);
        natedPeers.clear();
    }

    @Test
    void peersBehindDifferentConeNatsConnectByIdOverAPunchedPath() throws Exception {
        try (NatLab lab = NatLab.start("coreCone")) {
            Pair p = start(lab, 1, NatKind.PORT_RESTRICTED_CONE, NatKind.ADDRESS_RESTRICTED_CONE);
            Outcome o = connect(p, Duration.ofSeconds(15));
            print("port-restricted cone -> address-restricted cone", o);
            // Two NATs that both filter: the only way through is a hole each side punches (UDP hole
            // punching or TCP simultaneous open, either transport). Neither side's own interface is
            // reachable from the other, so a dial that answers is one the punching let in: PUNCHED,
            // at once or after a first relayed connection moved to it.
            assertThat(o.finalRoute()).as(() -> o + "; what the two peers logged about the direct attempt:\n"
                    + directAttemptLog()).startsWith("PUNCHED");
            exchange(p, "hello-across-nats");
        }
    }

    /**
     * Without UDP only TCP can make a direct path, and through two restricting NATs only a TCP
     * simultaneous open does: each side's SYN opens its own NAT for the other's.
     */
    @Test
    void peersBehindConeNatsWithoutUdpConnectByTcpSimultaneousOpen() throws Exception {
        try (NatLab lab = NatLab.start("coreTcp")) {
            Pair p = start(lab, 1, NatKind.PORT_RESTRICTED_CONE, NatKind.ADDRESS_RESTRICTED_CONE, "--no-udp");
            Outcome o = connect(p, Duration.ofSeconds(15));
            print("port-restricted cone -> address-restricted cone, TCP only", o);
            assertThat(o.finalRoute()).as(() -> o + "; what the two peers logged about the direct attempt:\n"
                    + directAttemptLog()).isEqualTo("PUNCHED TCP");
            exchange(p, "hello-over-tcp");
        }
    }

    /**
     * No direct path exists between two symmetric NATs: the relay joins the race after its short head start
     * instead of after every direct attempt has failed (10.4 s p50 before issue 10).
     */
    @Test
    void peersBehindSymmetricNatsConnectByIdThroughARelayInAboutASecond() throws Exception {
        try (NatLab lab = NatLab.start("coreSym")) {
            Pair p = start(lab, 1, NatKind.SYMMETRIC, NatKind.SYMMETRIC);
            List<Long> millis = new ArrayList<>();
            for (int i = 1; i <= TRIES; i++) {
                Outcome o = connect(p, Duration.ZERO);
                print("symmetric -> symmetric, try " + i, o);
                assertThat(o.route()).as(o.connected()).isEqualTo("RELAYED");
                millis.add(o.millis());
                exchange(p, "hello-through-the-relay-" + i);
                separate(p);
            }
            System.out.printf("symmetric -> symmetric: %d tries, p50 %d ms, max %d ms%n", millis.size(), p50(millis),
                    millis.stream().mapToLong(Long::longValue).max().orElseThrow());
            assertThat(millis).allMatch(m -> m < FIRST_CONNECTION_MAX_MILLIS);
        }
    }

    /**
     * Birthday punching: the symmetric side (B) punches from 256 extra ports as well, the cone side (A)
     * sprays its checks at random ports of B's public address; the path found on an extra port becomes
     * B's connection (a crust-udt endpoint on that socket). Two public nodes, so that each NATed peer asks
     * two STUN servers and B learns its NAT maps per destination.
     */
    @Test
    void aPortRestrictedConePeerReachesASymmetricPeerByBirthdayPunching() throws Exception {
        try (NatLab lab = NatLab.start("coreBday")) {
            Pair p = start(lab, 2, NatKind.PORT_RESTRICTED_CONE, NatKind.SYMMETRIC);
            int punched = 0;
            List<Long> millis = new ArrayList<>();
            for (int i = 1; i <= TRIES; i++) {
                Outcome o = connect(p, Duration.ofSeconds(15));
                print("port-restricted cone -> symmetric, try " + i, o);
                millis.add(o.millis());
                if (o.finalRoute().equals("PUNCHED UDT")) {
                    punched++;
                }
                exchange(p, "hello-birthday-" + i);
                separate(p);
            }
            System.out.printf("port-restricted cone -> symmetric: punched %d of %d tries; first connection p50 %d ms%n",
                    punched, TRIES, p50(millis));
            assertThat(punched).as(() -> "tries that ended on PUNCHED UDT; the peers' log:\n" + directAttemptLog())
                    .isGreaterThanOrEqualTo((int) Math.ceil(TRIES * 0.9));
            assertThat(millis).allMatch(m -> m < FIRST_CONNECTION_MAX_MILLIS);
        }
    }

    /**
     * Two peers behind symmetric NATs, both sites dual-stack with a stateful IPv6 firewall (RFC 6092)
     * and no IPv6 translation: over IPv4 only the relay joins them, but their IPv6 host candidates punch
     * through both firewalls, so the pair ends on a direct IPv6 path (moved to from the relay, if the
     * relay came first).
     */
    @Test
    void twoSymmetricNatPeersBehindIpv6FirewallsEndOnADirectIpv6Path() throws Exception {
        try (NatLab lab = NatLab.start("coreV6")) {
            connectOverIpv6(startDualStackSymmetricPair(lab), "symmetric -> symmetric, both dual-stack behind IPv6 firewalls",
                    "hello-over-ipv6");
        }
    }

    /**
     * As above with TCP off on both peers, so that every connection runs on crust-udt: the UDP punch
     * through both IPv6 firewalls becomes a crust-udt connection over IPv6.
     */
    @Test
    void twoSymmetricNatPeersWithTcpOffEndOnACrustUdtPathOverIpv6() throws Exception {
        try (NatLab lab = NatLab.start("coreV6udt")) {
            String path = connectOverIpv6(startDualStackSymmetricPair(lab, "--no-tcp"),
                    "symmetric -> symmetric, dual-stack, TCP off", "hello-over-udt-over-ipv6");
            assertThat(path).as("A's path to B").contains(" UDT ");
        }
    }

    /**
     * A peer with IPv6 only (no IPv4 address at all, as on an IPv6-only mobile network) and a
     * dual-stack peer behind a symmetric NAT, both behind stateful IPv6 firewalls, meet through
     * dual-stack public nodes and end on a direct IPv6 path.
     */
    @Test
    void anIpv6OnlyPeerAndADualStackPeerBehindASymmetricNatEndOnADirectIpv6Path() throws Exception {
        try (NatLab lab = NatLab.start("coreV6on")) {
            List<String> hubs = startPublicNodes(lab, 2, true);
            Site siteA = lab.site(NatKind.PORT_RESTRICTED_CONE);
            Site siteB = lab.site(NatKind.SYMMETRIC);
            lab.dualStack(siteA);
            lab.dualStack(siteB);
            lab.ipv6Only(siteA);
            assertThat(siteA.host().exec(Duration.ofSeconds(10), "ip", "-4", "addr", "show", "dev", "eth0").stdout())
                    .as("A has no IPv4 address").isBlank();
            connectOverIpv6(start(siteA, siteB, hubs), "IPv6-only -> dual-stack behind a symmetric NAT", "hello-from-ipv6-only");
        }
    }

    /**
     * A and B on dual-stack sites behind NAT66 (and IPv4 NAT): their IPv6 host addresses are
     * unique-local, reachable from nowhere else. The public nodes are dual-stack but named by their IPv4
     * addresses, so the peers reach them over IPv4; and A's router drops all IPv4 between the two sites.
     * The one direct path left is the IPv6 one through both NAT66 routers, and only a server-reflexive
     * IPv6 candidate, learned by STUN over IPv6 from a public node, names it.
     */
    @Test
    void twoPeersBehindNat66PunchAnIpv6PathFoundByStunOverIpv6() throws Exception {
        try (NatLab lab = NatLab.start("coreN66")) {
            List<String> hubs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                LabHost hub = lab.publicHost();
                lab.dualStack(hub);
                LabProcess node = hub.startJava(LabPeer.class, "--port", String.valueOf(PORT), "--relay");
                natedPeers.add(node);
                node.awaitLine(l -> l.startsWith("READY "), WAIT);
                hubs.addAll(List.of("--contact", hub.address().getHostAddress() + ":" + PORT));
            }
            Site siteA = lab.site(NatKind.PORT_RESTRICTED_CONE);
            Site siteB = lab.site(NatKind.PORT_RESTRICTED_CONE);
            lab.dualStackBehindNat66(siteA);
            lab.dualStackBehindNat66(siteB);
            LabHost routerA = siteA.router();
            String ipv4B = siteB.publicAddress().getHostAddress();
            nft(routerA, "add table ip crust_block");
            nft(routerA, "add chain ip crust_block forward { type filter hook forward priority -10 ; policy accept ; }");
            nft(routerA, "add rule ip crust_block forward ip daddr " + ipv4B + " drop");
            nft(routerA, "add rule ip crust_block forward ip saddr " + ipv4B + " drop");
            Pair p = start(siteA, siteB, hubs);

            print("NAT66 + blocked IPv4 -> NAT66", connect(p, Duration.ofSeconds(15)));
            p.a().writeLine("path " + p.bId());
            String path = p.a().awaitLine(l -> l.startsWith("PATH "), WAIT);
            System.out.println("A's path to B: " + path);
            assertThat(path).as(() -> "the peers' log:\n" + directAttemptLog()).startsWith("PATH " + p.bId() + " PUNCHED ")
                    .endsWith(" " + siteB.router().ipv6Address().orElseThrow().getHostAddress());
            exchange(p, "hello-through-nat66");
        }
    }

    /**
     * A connects to B by id, waiting up to 15 s for a move off the relay; the path must end direct on
     * B's IPv6 address: PUNCHED, or DIRECT (a dial of B's IPv6 host address from the punching socket,
     * once the punch checks have opened both firewalls, also gets through). Then a message goes over it.
     *
     * @return A's {@code PATH} line for B
     */
    private String connectOverIpv6(Pair p, String what, String message) throws Exception {
        print(what, connect(p, Duration.ofSeconds(15)));
        p.a().writeLine("path " + p.bId());
        String path = p.a().awaitLine(l -> l.startsWith("PATH "), WAIT);
        System.out.println("A's path to B: " + path);
        assertThat(path).as(() -> "the peers' log:\n" + directAttemptLog()).startsWith("PATH " + p.bId() + " ")
                .doesNotContain(" RELAYED ").endsWith(" " + p.siteB().host().ipv6Address().orElseThrow().getHostAddress());
        exchange(p, message);
        return path;
    }

    /**
     * The pair of the matrix whose attempts overlap most (a full cone answers every dial, an
     * address-restricted cone every punch): connected, used and separated ten times in a row, while
     * the previous tries' attempts are still arriving. Every message arrives, or A is told that the
     * connection it went out on was lost (see {@link #exchange}).
     */
    @Test
    void aPairWhoseLateAttemptsOverlapTheNextTryDeliversEveryMessageOrReportsItsLoss() throws Exception {
        try (NatLab lab = NatLab.start("coreLate")) {
            Pair p = start(lab, 2, NatKind.FULL_CONE, NatKind.ADDRESS_RESTRICTED_CONE);
            for (int t = 1; t <= 10; t++) {
                connect(p, Duration.ZERO);
                exchange(p, "hello-late-" + t);
                separate(p);
            }
        }
    }

    /**
     * Every pair of NAT kinds in one lab (one site per kind, two public nodes), each pair connected
     * {@code tries} times: the first authenticated connection (direct, punched or relayed) must come
     * within 3 s every time and within 1 s at the median. Tries that found the pair still connected from
     * the try before (a late direct attempt of the other side) are counted apart and not timed.
     */
    @Test
    void everyPairOfNatKindsGetsAFirstConnectionWithinASecondAtTheMedian() throws Exception {
        List<NatKind> kinds = List.of(NatKind.FULL_CONE, NatKind.ADDRESS_RESTRICTED_CONE, NatKind.PORT_RESTRICTED_CONE,
                NatKind.SYMMETRIC, NatKind.DOUBLE_NAT);
        try (NatLab lab = NatLab.start("coreMtx")) {
            List<String> contacts = startPublicNodes(lab, 2);
            List<LabProcess> peers = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            List<Site> sites = new ArrayList<>();
            for (NatKind kind : kinds) {
                Site site = lab.site(kind);
                LabProcess peer = site.host().startJava(DEBUG_CONNECT, LabPeer.class, contacts.toArray(String[]::new));
                natedPeers.add(peer);
                peers.add(peer);
                sites.add(site);
            }
            for (LabProcess peer : peers) {
                ids.add(peer.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length()));
                for (int i = 0; i < 2; i++) {
                    peer.awaitLine(l -> l.startsWith("EVENT PeerConnected "), WAIT);
                }
            }
            List<Long> all = new ArrayList<>();
            StringBuilder table = new StringBuilder("| A | B | first connections (ms) | routes |\n|---|---|---|---|\n");
            for (int i = 0; i < kinds.size(); i++) {
                for (int j = i + 1; j < kinds.size(); j++) {
                    Pair p = new Pair(peers.get(i), ids.get(i), peers.get(j), ids.get(j), sites.get(i), sites.get(j));
                    List<String> times = new ArrayList<>();
                    List<String> routes = new ArrayList<>();
                    for (int t = 1; t <= TRIES; t++) {
                        Outcome o = connect(p, Duration.ZERO);
                        if (o.millis() <= STILL_CONNECTED_MILLIS) {
                            times.add("(still connected)");
                        } else {
                            times.add(String.valueOf(o.millis()));
                            all.add(o.millis());
                            assertThat(o.millis()).as(kinds.get(i) + " -> " + kinds.get(j) + ": " + o)
                                    .isLessThan(FIRST_CONNECTION_MAX_MILLIS);
                        }
                        routes.add(o.route() + " " + o.transport());
                        exchange(p, "hello-" + i + "-" + j + "-" + t);
                        separate(p);
                    }
                    table.append("| ").append(kinds.get(i)).append(" | ").append(kinds.get(j)).append(" | ")
                            .append(String.join(", ", times)).append(" | ").append(String.join(", ", routes)).append(" |\n");
                }
            }
            System.out.print(table);
            System.out.printf("every pair: %d timed first connections, p50 %d ms, max %d ms%n", all.size(), p50(all),
                    all.stream().mapToLong(Long::longValue).max().orElseThrow());
            assertThat(p50(all)).isLessThanOrEqualTo(1000);
        }
    }

    /**
     * A's router drops everything to and from B's site, so A reaches B only through the relay; a transfer
     * starts there; then the rule goes and the path through the two cone NATs opens, while connect's own
     * direct attempts are still running. The peers must move to it within {@link #UPGRADE_WITHIN}, and every
     * message of the transfer must arrive once, in order, byte for byte.
     */
    @Test
    void aTransferThatStartsOnTheRelayMovesToADirectPathAndArrivesByteExact() throws Exception {
        relayThenDirect("coreUpg", 200, 3000);
    }

    /**
     * The same, but the path opens only after connect's direct attempts have given up (the sender paces
     * 4 ms a message, so 3000 messages take at least 12 s; punching gives up after 10 s): the background
     * retries of relayed peers must find it. The 6400 messages of 8 KiB are 50 MiB.
     */
    @Test
    void aRelayedPeerMovesToADirectPathThatOpensLongAfterConnect() throws Exception {
        relayThenDirect("upgLate", 3000, 6400);
    }

    private void relayThenDirect(String label, int openAfterMessages, int messages) throws Exception {
        try (NatLab lab = NatLab.start(label)) {
            Pair p = start(lab, 1, NatKind.PORT_RESTRICTED_CONE, NatKind.PORT_RESTRICTED_CONE);
            LabHost routerA = p.siteA().router();
            String siteB = p.siteB().publicAddress().getHostAddress();
            nft(routerA, "add table inet crust_block");
            nft(routerA, "add chain inet crust_block forward { type filter hook forward priority -10 ; policy accept ; }");
            nft(routerA, "add rule inet crust_block forward ip daddr " + siteB + " drop");
            nft(routerA, "add rule inet crust_block forward ip saddr " + siteB + " drop");

            int mark = p.a().lines().size();
            p.a().writeLine("connect " + p.bId());
            String connected = p.a().awaitLine(l -> l.startsWith("CONNECTED ") || l.startsWith("FAILED connect:"), WAIT);
            System.out.println(label + ": blocked port-restricted cone -> port-restricted cone: " + connected);
            assertThat(connected).startsWith("CONNECTED " + p.bId() + " RELAYED");

            // Messages of 8 KiB, one per 4 ms, so the move surely happens mid-transfer.
            p.a().writeLine("stream " + p.bId() + " " + messages + " 8192 4");
            p.b().awaitLine(l -> l.equals("STREAMING " + p.aId() + " " + openAfterMessages), WAIT);
            assertThat(upgradeAfter(p.a(), mark)).as("an upgrade while the direct path was blocked").isEmpty();

            long unblocked = System.nanoTime();
            nft(routerA, "delete table inet crust_block");
            String upgraded = p.a().awaitLine(l -> l.startsWith("EVENT ConnectionUpgraded " + p.bId()), WAIT);
            long moveMillis = (System.nanoTime() - unblocked) / 1_000_000;
            String streamed = p.b().awaitLine(l -> l.startsWith("STREAM " + p.aId() + " "), WAIT);
            List<String> bLines = p.b().lines();
            System.out.printf("%s: relay -> direct: %s, %d ms after the path opened; transfer: %s%n", label, upgraded,
                    moveMillis, streamed);

            assertThat(upgraded.split(" ")[3]).isEqualTo("RELAYED");
            assertThat(upgraded.split(" ")[4]).isNotEqualTo("RELAYED");
            assertThat(Duration.ofMillis(moveMillis)).isLessThan(UPGRADE_WITHIN);
            assertThat(streamed).isEqualTo("STREAM " + p.aId() + " " + messages + " ok");
            // The move happened mid-transfer: B saw its own upgrade before the last message.
            int bUpgrade = indexOf(bLines, "EVENT ConnectionUpgraded " + p.aId());
            assertThat(bUpgrade).isGreaterThanOrEqualTo(0).isLessThan(bLines.indexOf(streamed));
        }
    }

    /** Starts {@code publicNodes} public nodes (the first relays) and A, B behind their NATs, connected to all. */
    private Pair start(NatLab lab, int publicNodes, NatKind kindA, NatKind kindB, String... natedOptions) throws Exception {
        List<String> args = startPublicNodes(lab, publicNodes);
        return start(lab.site(kindA), lab.site(kindB), args, natedOptions);
    }

    /** As {@link #start(NatLab, int, NatKind, NatKind, String...)}, with A and B on sites already built. */
    private Pair start(Site siteA, Site siteB, List<String> args, String... natedOptions) throws Exception {
        args.addAll(List.of(natedOptions));
        int publicNodes = (int) args.stream().filter("--contact"::equals).count();
        LabProcess a = siteA.host().startJava(DEBUG_CONNECT, LabPeer.class, args.toArray(String[]::new));
        LabProcess b = siteB.host().startJava(DEBUG_CONNECT, LabPeer.class, args.toArray(String[]::new));
        natedPeers.add(a);
        natedPeers.add(b);
        // awaitLine reads forward: take each process's lines in the order it prints them.
        String aId = a.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length());
        String bId = b.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length());
        for (LabProcess p : List.of(a, b)) {
            for (int i = 0; i < publicNodes; i++) {
                p.awaitLine(l -> l.startsWith("EVENT PeerConnected "), WAIT);
            }
        }
        return new Pair(a, aId, b, bId, siteA, siteB);
    }

    /** Two public nodes, and A and B behind symmetric NATs on dual-stack sites (stateful IPv6 firewalls). */
    private Pair startDualStackSymmetricPair(NatLab lab, String... natedOptions) throws Exception {
        List<String> hubs = startPublicNodes(lab, 2);
        Site siteA = lab.site(NatKind.SYMMETRIC);
        Site siteB = lab.site(NatKind.SYMMETRIC);
        lab.dualStack(siteA);
        lab.dualStack(siteB);
        return start(siteA, siteB, hubs, natedOptions);
    }

    /** Starts {@code count} public nodes (the first relays); the {@code --contact} arguments that name them. */
    private List<String> startPublicNodes(NatLab lab, int count) throws Exception {
        return startPublicNodes(lab, count, false);
    }

    /** As {@link #startPublicNodes(NatLab, int)}; if {@code ipv6}, the nodes are dual-stack and named by their IPv6 address. */
    private List<String> startPublicNodes(NatLab lab, int count, boolean ipv6) throws Exception {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LabHost hub = lab.publicHost();
            if (ipv6) {
                lab.dualStack(hub);
            }
            LabProcess hubNode = i == 0 ? hub.startJava(LabPeer.class, "--port", String.valueOf(PORT), "--relay")
                    : hub.startJava(LabPeer.class, "--port", String.valueOf(PORT));
            natedPeers.add(hubNode);
            hubNode.awaitLine(l -> l.startsWith("READY "), WAIT);
            args.addAll(List.of("--contact", ipv6 ? "[" + hub.ipv6Address().orElseThrow().getHostAddress() + "]:" + PORT
                    : hub.address().getHostAddress() + ":" + PORT));
        }
        return args;
    }

    /**
     * A connects to B by id; if the first connection is relayed, waits up to {@code upgradeWait} for its
     * move to a direct path.
     */
    private Outcome connect(Pair p, Duration upgradeWait) throws Exception {
        int mark = p.a().lines().size();
        p.a().writeLine("connect " + p.bId());
        String result = p.a().awaitLine(l -> l.startsWith("CONNECTED ") || l.startsWith("FAILED connect:"), WAIT);
        assertThat(result).as(() -> "connect; the peers' log:\n" + directAttemptLog()).startsWith("CONNECTED " + p.bId());
        String[] f = result.split(" ");
        Optional<String> upgraded = upgradeAfter(p.a(), mark);
        if (f[2].equals("RELAYED") && upgraded.isEmpty() && !upgradeWait.isZero()) {
            try {
                upgraded = Optional.of(p.a().awaitLine(l -> l.startsWith("EVENT ConnectionUpgraded " + p.bId()), upgradeWait));
            } catch (io.crust.testkit.lab.LabException e) {
                upgraded = Optional.empty();
            }
        }
        return new Outcome(result, Long.parseLong(f[4]), f[2], f[3], upgraded);
    }

    private static void print(String what, Outcome o) {
        System.out.printf("%s: first %s %s in %d ms%s%n", what, o.route(), o.transport(), o.millis(),
                o.upgraded().map(u -> ", then moved to " + o.finalRoute()).orElse(""));
    }

    private static Optional<String> upgradeAfter(LabProcess process, int mark) {
        List<String> lines = process.lines();
        return lines.subList(mark, lines.size()).stream().filter(l -> l.startsWith("EVENT ConnectionUpgraded ")).findFirst();
    }

    /** A message from A to B, delivered or its loss reported and the message sent again: {@link LabNodes#exchange}. */
    private static void exchange(Pair p, String text) throws Exception {
        LabNodes.exchange(new LabNodes.Node(p.a(), p.aId()), new LabNodes.Node(p.b(), p.bId()), text);
    }

    /** Drops the pair from both ends until neither lists the other: {@link LabNodes#separate}. */
    private static void separate(Pair p) throws Exception {
        LabNodes.separate(new LabNodes.Node(p.a(), p.aId()), new LabNodes.Node(p.b(), p.bId()));
    }

    private static void nft(LabHost host, String rule) throws Exception {
        List<String> command = new ArrayList<>(List.of("nft"));
        command.addAll(List.of(rule.split(" ")));
        var result = host.exec(Duration.ofSeconds(10), command.toArray(String[]::new));
        assertThat(result.exitCode()).as(() -> "nft " + rule + ": " + result).isZero();
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static long p50(List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    /** The two NATed peers' log lines about gathering, punching and dialling. */
    private String directAttemptLog() {
        StringBuilder out = new StringBuilder();
        for (LabProcess p : natedPeers) {
            try (var lines = Files.lines(p.stderrLog())) {
                lines.filter(l -> l.contains("io.crust.core.connect") || l.contains("punch") || l.contains("dial"))
                        .limit(60).forEach(l -> out.append(p.name()).append(": ").append(l).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                out.append(p.name()).append(": log unreadable: ").append(e).append('\n');
            }
        }
        return out.toString();
    }
}
