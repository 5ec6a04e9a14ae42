package io.crust.demo.peer;

import static io.crust.demo.peer.JsonPeer.field;
import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end scenarios of issue 6 with the demo peer in the NAT lab: each peer is its own JVM in its
 * own namespace, driven through {@code --json} as a script would. Skipped without root, ip and nft
 * (failing instead with CI=true). Each scenario prints its timings.
 */
class PeerLabScenariosTest {
    @TempDir
    Path dir;

    /**
     * Scenario a: a public bootstrap peer; A and B behind two different port-restricted cone NATs
     * bootstrap off it; A connects to B by peer id (through the bootstrap peer as rendezvous); a message
     * and a 50 MiB file arrive intact.
     */
    @Test
    void twoPeersBehindConeNatsConnectByIdThroughABootstrapPeerAndExchangeAFile() throws Exception {
        scenarioA(dir.resolve("a"));
    }

    private void scenarioA(Path base) throws Exception {
        try (NatLab lab = NatLab.start("e2ea")) {
            LabHost publicHost = lab.publicHost();
            Site siteA = lab.site(NatKind.PORT_RESTRICTED_CONE);
            Site siteB = lab.site(NatKind.PORT_RESTRICTED_CONE);
            String contact = publicHost.address().getHostAddress() + ":5483";
            try (LabPeer bootstrap = LabPeer.start(publicHost, base.resolve("p"), "--listen-tcp", "5483", "--listen-udp", "5483", "--no-upnp");
                    LabPeer a = LabPeer.start(siteA.host(), base.resolve("a"), "--contact", contact, "--no-upnp");
                    LabPeer b = LabPeer.start(siteB.host(), base.resolve("b"), "--contact", contact, "--no-upnp")) {
                a.await("bootstrapped");
                double bootstrappedA = seconds(a.startNanos);
                awaitExternalAddress(a);
                a.command("id");
                assertThat(field(a.await("id"), "nat")).isEqualTo("behind-nat");
                b.await("bootstrapped");
                double bootstrappedB = seconds(b.startNanos);

                long connectStart = System.nanoTime();
                a.command("connect " + b.id());
                String connected = a.await("connected", l -> b.id().equals(field(l, "peer")));
                double connectSeconds = seconds(connectStart);
                // The path goes straight through B's NAT (B's site public address, not the bootstrap peer): with a
                // port-restricted cone and no mapping, only punching opens it. A dial that answers at B's
                // reflexive address is labelled punched (the candidate's kind travels in B's connection info).
                assertThat(field(connected, "route")).isEqualTo("punched");
                assertThat(field(connected, "remote")).startsWith(siteB.publicAddress().getHostAddress() + ":");

                a.command("send " + b.id() + " hello through two NATs");
                String message = b.await("message");
                assertThat(field(message, "peer")).isEqualTo(a.id());
                assertThat(field(message, "text")).isEqualTo("hello through two NATs");

                // Sent right after connecting, so a duplicate path (TCP and punched UDP both coming up)
                // settles while the file is in flight: every chunk must still arrive, in order.
                byte[] content = new byte[50 * 1024 * 1024];
                new Random(50).nextBytes(content);
                Path file = base.resolve("fifty.bin");
                Files.write(file, content);
                String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
                long fileStart = System.nanoTime();
                a.command("sendfile " + b.id() + " " + file);
                String received = b.await("file");
                double fileSeconds = seconds(fileStart);
                assertThat(field(received, "sha256")).isEqualTo(sha256);
                assertThat(Files.readAllBytes(Path.of(field(received, "path")))).isEqualTo(content);
                a.await("file-sent");

                System.out.printf("scenario a: start to bootstrapped A %.2f s, B %.2f s; connect by id to connected %.2f s"
                                + " (route %s, transport %s); 50 MiB file in %.2f s%n", bootstrappedA, bootstrappedB,
                        connectSeconds, field(connected, "route"), field(connected, "transport"), fileSeconds);
            }
        }
    }

    /**
     * Scenario b: B behind the UPnP router maps its ports; A dials the mapping. A sits behind a
     * symmetric NAT and uses TCP only, so that nothing else can reach B: neither a TCP simultaneous
     * open (A's symmetric NAT gives each destination its own port, and B's router filters by port)
     * nor a crust-udt dial to B's mapped UDP port races the mapped TCP dial.
     */
    @Test
    void aPeerBehindAUpnpRouterIsReachedThroughItsPortMapping() throws Exception {
        try (NatLab lab = NatLab.start("e2eb")) {
            lab.startStunServer();
            LabHost publicHost = lab.publicHost();
            Site siteA = lab.site(NatKind.SYMMETRIC);
            Site siteB = lab.site(NatKind.UPNP);
            String contact = publicHost.address().getHostAddress() + ":5483";
            try (LabPeer bootstrap = LabPeer.start(publicHost, dir.resolve("p"), "--listen-tcp", "5483", "--listen-udp", "5483", "--no-upnp");
                    LabPeer a = LabPeer.start(siteA.host(), dir.resolve("a"), "--contact", contact, "--no-upnp", "--no-udp");
                    LabPeer b = LabPeer.start(siteB.host(), dir.resolve("b"), "--contact", contact)) {
                a.await("bootstrapped");
                b.await("bootstrapped");
                awaitExternalAddress(b);
                // Make sure A still has its rendezvous peer (a connection already up is simply returned).
                a.command("connect " + contact);

                long connectStart = System.nanoTime();
                a.command("connect " + b.id());
                String connected = a.await("connected", l -> b.id().equals(field(l, "peer")));
                double connectSeconds = seconds(connectStart);
                System.out.printf("scenario b: connect by id to connected %.2f s (route %s, transport %s)%n",
                        connectSeconds, field(connected, "route"), field(connected, "transport"));
                // A TCP connection to B's site public address can only have gone through B's mapping, and
                // B's connection info marks that candidate as mapped.
                assertThat(field(connected, "route")).isEqualTo("mapped");
                assertThat(field(connected, "transport")).isEqualTo("tcp");
                assertThat(field(connected, "remote")).startsWith(siteB.publicAddress().getHostAddress() + ":");
                a.command("send " + b.id() + " hello through a mapping");
                assertThat(field(b.await("message"), "text")).isEqualTo("hello through a mapping");
            }
        }
    }

    /**
     * Scenario c: C and D behind symmetric NATs cannot punch; the bootstrap peer allows relaying, so C
     * reaches D by peer id through it (route relayed) and a message arrives.
     */
    @Test
    void twoPeersBehindSymmetricNatsTalkThroughARelay() throws Exception {
        try (NatLab lab = NatLab.start("e2ec")) {
            LabHost publicHost = lab.publicHost();
            Site siteC = lab.site(NatKind.SYMMETRIC);
            Site siteD = lab.site(NatKind.SYMMETRIC);
            String contact = publicHost.address().getHostAddress() + ":5483";
            try (LabPeer relay = LabPeer.start(publicHost, dir.resolve("p"), "--listen-tcp", "5483", "--listen-udp", "5483",
                    "--no-upnp", "--relay");
                    LabPeer c = LabPeer.start(siteC.host(), dir.resolve("c"), "--contact", contact, "--no-upnp");
                    LabPeer d = LabPeer.start(siteD.host(), dir.resolve("d"), "--contact", contact, "--no-upnp")) {
                c.await("bootstrapped");
                d.await("bootstrapped");

                long connectStart = System.nanoTime();
                c.command("connect " + d.id());
                String connected = c.await("connected", l -> d.id().equals(field(l, "peer")));
                double connectSeconds = seconds(connectStart);
                assertThat(field(connected, "route")).isEqualTo("relayed");

                c.command("send " + d.id() + " hello through the relay");
                String message = d.await("message");
                assertThat(field(message, "peer")).isEqualTo(c.id());
                assertThat(field(message, "text")).isEqualTo("hello through the relay");
                System.out.printf("scenario c: connect by id to connected %.2f s (route %s, transport %s)%n",
                        connectSeconds, field(connected, "route"), field(connected, "transport"));
            }
        }
    }

    /** Scenario f: A bans B's peer id: B is dropped and cannot reconnect. */
    @Test
    void aBannedPeerIsDroppedAndCannotComeBack() throws Exception {
        try (NatLab lab = NatLab.start("e2ef")) {
            LabHost publicHost = lab.publicHost();
            Site siteB = lab.site(NatKind.PORT_RESTRICTED_CONE);
            String contact = publicHost.address().getHostAddress() + ":5483";
            try (LabPeer a = LabPeer.start(publicHost, dir.resolve("a"), "--listen-tcp", "5483", "--no-upnp");
                    LabPeer b = LabPeer.start(siteB.host(), dir.resolve("b"), "--contact", contact, "--no-upnp")) {
                a.await("connected", l -> b.id().equals(field(l, "peer")));

                a.command("ban " + b.id());
                a.await("banned");
                b.await("lost", l -> a.id().equals(field(l, "peer")));

                b.command("connect " + contact);
                b.process().awaitLine(l -> "error".equals(field(l, "event")) || "lost".equals(field(l, "event")), LabPeer.WAIT);
                a.command("peers");
                assertThat(a.await("peers")).doesNotContain(b.id());
                assertThat(a.lines()).filteredOn(l -> "connected".equals(field(l, "event"))).hasSize(1);
            }
        }
    }

    /**
     * Scenario e: B is killed with SIGKILL while its site is cut off; A reports it lost within the
     * heartbeat timeout; B restarts
     * with the same data directory and no contact, and comes back through its bootstrap cache.
     */
    @Test
    void aKilledPeerIsReportedLostAndComesBackThroughItsBootstrapCache() throws Exception {
        try (NatLab lab = NatLab.start("e2ee")) {
            LabHost publicHost = lab.publicHost();
            Site siteB = lab.site(NatKind.PORT_RESTRICTED_CONE);
            String contact = publicHost.address().getHostAddress() + ":5483";
            Path dataB = dir.resolve("b");
            try (LabPeer a = LabPeer.start(publicHost, dir.resolve("a"), "--listen-tcp", "5483", "--no-upnp")) {
                String idB;
                try (LabPeer b = LabPeer.start(siteB.host(), dataB, "--contact", contact, "--no-upnp")) {
                    idB = b.id();
                    a.await("connected", l -> idB.equals(field(l, "peer")));
                    b.await("bootstrapped");
                    // B's router drops everything first, so the FIN the kernel sends for the killed process never
                    // reaches A: A must notice by missing heartbeats, as when a machine loses power.
                    lab.lossPercent(siteB, 100);
                    ProcessHandle.of(b.pid()).orElseThrow().destroyForcibly();
                    long killed = System.nanoTime();
                    a.await("lost", l -> idB.equals(field(l, "peer")));
                    double lostSeconds = seconds(killed);
                    System.out.printf("scenario e: SIGKILL to lost %.2f s%n", lostSeconds);
                    assertThat(lostSeconds).as("lost within the heartbeat timeout (8 s) plus scheduling slack").isLessThan(20);
                    lab.lossPercent(siteB, 0);
                }
                try (LabPeer again = LabPeer.start(siteB.host(), dataB, "--no-upnp")) {
                    assertThat(again.id()).isEqualTo(idB);
                    String bootstrapped = again.await("bootstrapped");
                    assertThat(bootstrapped).contains(a.id());
                    a.await("connected", l -> idB.equals(field(l, "peer")));
                    System.out.printf("scenario e: restart to bootstrapped from the cache %.2f s (JVM start included)%n",
                            seconds(again.startNanos));
                }
            }
        }
    }

    /** Scenario d: two peers in one site find each other with --lan and no contacts (route lan). */
    @Test
    void twoPeersOnOneLanFindEachOtherWithoutContacts() throws Exception {
        try (NatLab lab = NatLab.start("e2ed")) {
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            LabHost first = site.host();
            LabHost second = site.addHost();
            try (LabPeer a = LabPeer.start(first, dir.resolve("a"), "--lan", "--no-upnp");
                    LabPeer b = LabPeer.start(second, dir.resolve("b"), "--lan", "--no-upnp")) {
                String connected = a.await("connected", l -> b.id().equals(field(l, "peer")));
                b.await("connected", l -> a.id().equals(field(l, "peer")));
                System.out.printf("scenario d: start to connected over the LAN %.2f s (route %s)%n",
                        seconds(a.startNanos), field(connected, "route"));
                assertThat(field(connected, "remote")).startsWith(second.address().getHostAddress() + ":");
                a.command("send " + b.id() + " hello neighbour");
                assertThat(field(b.await("message"), "text")).isEqualTo("hello neighbour");
                // Whichever side dialled, the dialler's route is lan; the other side was dialled (direct).
                assertThat(List.of(field(connected, "route"), field(b.lines().stream()
                        .filter(l -> "connected".equals(field(l, "event"))).findFirst().orElseThrow(), "route"))).contains("lan");
            }
        }
    }

    /** Scenario d on a LAN with no IPv4 at all: the beacon goes by IPv6 multicast, the dial to an IPv6 address. */
    @Test
    void twoPeersOnAnIpv6OnlyLanFindEachOtherAndConnectOverIpv6() throws Exception {
        try (NatLab lab = NatLab.start("e2ed6")) {
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            LabHost first = site.host();
            LabHost second = site.addHost();
            lab.dualStack(site);
            lab.ipv6Only(site);
            try (LabPeer a = LabPeer.start(first, dir.resolve("a"), "--lan", "--no-upnp");
                    LabPeer b = LabPeer.start(second, dir.resolve("b"), "--lan", "--no-upnp")) {
                String connected = a.await("connected", l -> b.id().equals(field(l, "peer")));
                b.await("connected", l -> a.id().equals(field(l, "peer")));
                System.out.printf("scenario d, IPv6-only LAN: start to connected %.2f s (route %s, remote %s)%n",
                        seconds(a.startNanos), field(connected, "route"), field(connected, "remote"));
                assertThat(field(connected, "family")).isEqualTo("ipv6");
                a.command("send " + b.id() + " hello over ipv6");
                assertThat(field(b.await("message"), "text")).isEqualTo("hello over ipv6");
            }
        }
    }

    /**
     * Scenario b over IPv6: B's dual-stack router translates nothing on IPv6 but firewalls it; B asks it (PCP)
     * for pinholes to its ports, so a peer outside reaches B's own IPv6 address directly, TCP first.
     */
    @Test
    void aPeerBehindAnIpv6FirewallOpensPinholesAndIsDialledDirectlyOverIpv6() throws Exception {
        try (NatLab lab = NatLab.start("e2ep6")) {
            Site site = lab.site(NatKind.UPNP);
            lab.dualStack(site);
            LabHost outside = lab.publicHost();
            lab.dualStack(outside);
            InetAddress bIpv6 = site.host().ipv6Address().orElseThrow();
            try (LabPeer b = LabPeer.start(site.host(), dir.resolve("b"), "--listen-tcp", "5484", "--listen-udp", "5484");
                    LabPeer c = LabPeer.start(outside, dir.resolve("c"), "--no-upnp")) {
                awaitPinholes(site, bIpv6, 5484);
                long connectStart = System.nanoTime();
                c.command("connect [" + bIpv6.getHostAddress() + "]:5484");
                String connected = c.await("connected", l -> b.id().equals(field(l, "peer")));
                System.out.printf("scenario b over IPv6: connect by address to connected %.2f s (route %s, transport %s, remote %s)%n",
                        seconds(connectStart), field(connected, "route"), field(connected, "transport"), field(connected, "remote"));
                assertThat(field(connected, "family")).isEqualTo("ipv6");
                assertThat(field(connected, "transport")).isEqualTo("tcp");
                assertThat(field(connected, "route")).isEqualTo("direct");
                c.command("send " + b.id() + " hello through a pinhole");
                assertThat(field(b.await("message"), "text")).isEqualTo("hello through a pinhole");
            }
        }
    }

    /**
     * Waits until miniupnpd's chain holds pinholes to {@code port} of {@code address} for TCP and UDP: it matches
     * the destination as raw bytes ({@code @nh,192,128 0x2001...}) and the protocol as the next-header byte.
     */
    private static void awaitPinholes(Site site, InetAddress address, int port) throws Exception {
        String destination = "@nh,192,128 0x" + HexFormat.of().formatHex(address.getAddress());
        long deadline = System.nanoTime() + LabPeer.WAIT.toNanos();
        String chain = "";
        while (System.nanoTime() < deadline) {
            chain = site.router().exec(Duration.ofSeconds(20), "nft", "list", "chain", "inet", "filter", "miniupnpd")
                    .orThrow().stdout();
            long pinholes = chain.lines().filter(l -> l.contains("dport " + port + " " + destination)).count();
            if (pinholes >= 2) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no TCP and UDP pinholes within " + LabPeer.WAIT + ": " + chain);
    }

    /**
     * Waits until the peer knows an external address (its port mapping is made). There is no event for
     * that, so this asks with {@code id} once a second.
     */
    private static void awaitExternalAddress(LabPeer peer) throws Exception {
        long deadline = System.nanoTime() + LabPeer.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            peer.command("id");
            if (!peer.await("id").contains("\"external\":[]")) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no external address within " + LabPeer.WAIT);
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
