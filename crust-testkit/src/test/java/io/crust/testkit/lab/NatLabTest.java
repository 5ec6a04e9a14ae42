package io.crust.testkit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import io.crust.testkit.lab.probe.NatProbeClient;
import io.crust.testkit.lab.probe.NatProbeServer;
import io.crust.testkit.lab.probe.RttProbe;

import org.junit.jupiter.api.Test;

/** The lab's own plumbing: extra hosts, loss, link statistics, errors and clean-up. */
class NatLabTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> PROBE_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m");

    @Test
    void secondHostOfASiteGoesOutThroughTheSameRouter() throws Exception {
        try (NatLab lab = NatLab.start("hosts")) {
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            LabHost second = site.addHost();
            assertThat(second.address().getHostAddress()).isEqualTo("192.168.1.3");
            String primary = NatLab.INTERNET_PRIMARY + ":4000";
            lab.internet().startJava(PROBE_JVM, NatProbeServer.class, primary, NatLab.INTERNET_PRIMARY + ":4001",
                    NatLab.INTERNET_SECONDARY + ":4000").awaitLine("READY"::equals, TIMEOUT);
            LabProcess client = second.startJava(PROBE_JVM, NatProbeClient.class, primary,
                    NatLab.INTERNET_PRIMARY + ":4001", NatLab.INTERNET_SECONDARY + ":4000");
            assertThat(client.awaitLine(l -> l.startsWith("MAPPING "), TIMEOUT))
                    .contains(" " + site.publicAddress().getHostAddress() + ":");
        }
    }

    @Test
    void bridgesKeepTheirAddressWhenPortsJoinSoCachedNeighboursStayValid() throws Exception {
        try (NatLab lab = NatLab.start("bridges")) {
            String internetMac = mac(lab.internet(), "br0");
            Site site = lab.site(NatKind.FULL_CONE);
            String lanMac = mac(site.router(), "lan");
            for (int i = 0; i < 5; i++) {
                lab.publicHost();
                site.addHost();
            }
            assertThat(mac(lab.internet(), "br0")).isEqualTo(internetMac);
            assertThat(mac(site.router(), "lan")).isEqualTo(lanMac);
        }
    }

    private static String mac(LabHost host, String device) throws LabException {
        String out = host.exec(TIMEOUT, "cat", "/sys/class/net/" + device + "/address").orThrow().stdout().strip();
        assertThat(out).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        return out;
    }

    @Test
    void fullLossStopsTrafficAndZeroLossRestoresIt() throws Exception {
        try (NatLab lab = NatLab.start("loss")) {
            LabHost host = lab.publicHost();
            String echo = NatLab.INTERNET_PRIMARY + ":7000";
            lab.internet().startJava(PROBE_JVM, RttProbe.class, "echo", echo).awaitLine("READY"::equals, TIMEOUT);
            lab.lossPercent(host, 100);
            assertThat(ping(host, echo, 3)).endsWith("replies=0");
            lab.lossPercent(host, 0);
            assertThat(ping(host, echo, 3)).endsWith("replies=3");
        }
    }

    @Test
    void tunLinkDuplicatesEveryPacketWhenToldTo() throws Exception {
        try (NatLab lab = NatLab.start("dup")) {
            LabHost a = lab.publicHost();
            LabHost b = lab.publicHost();
            TunLink link = lab.tunLink(a, b, LinkShape.delay(Duration.ofMillis(1)).withDuplication(1.0).withSeed(7));
            String echo = link.addressB().getHostAddress() + ":7000";
            b.startJava(PROBE_JVM, RttProbe.class, "echo", echo).awaitLine("READY"::equals, TIMEOUT);
            assertThat(ping(a, echo, 4)).endsWith("replies=4");
            String[] stats = link.stats().split(" ");
            // STATS a2b offered=N dropped=0 queue_dropped=0 duplicated=N reordered=0 delivered=2N b2a ...
            assertThat(stats[1]).isEqualTo("a2b");
            assertThat(stats[2]).isEqualTo("offered=4");
            assertThat(stats[5]).isEqualTo("duplicated=4");
            assertThat(stats[7]).isEqualTo("delivered=8");
        }
    }

    /**
     * A datagram socket on [::]:PORT (the first argument) driven from stdin: {@code send IP PORT TEXT},
     * {@code recv SECONDS} (prints {@code RECEIVED text from} or {@code TIMEOUT}).
     */
    private static final String UDP6 = """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind(("::", int(sys.argv[1])))
            print("READY", flush=True)
            for line in sys.stdin:
                w = line.split()
                if w[0] == "send":
                    s.sendto(w[3].encode(), (w[1], int(w[2])))
                    print("SENT " + w[3], flush=True)
                elif w[0] == "recv":
                    s.settimeout(float(w[1]))
                    try:
                        data, source = s.recvfrom(2048)
                        print("RECEIVED " + data.decode() + " " + source[0], flush=True)
                    except socket.timeout:
                        print("TIMEOUT", flush=True)
            """;

    @Test
    void aDualStackSiteDropsUnsolicitedIpv6DatagramsAndPassesThoseFromAnAddressItsHostSentTo() throws Exception {
        try (NatLab lab = NatLab.start("ipv6")) {
            Site siteA = lab.site(NatKind.SYMMETRIC);
            Site siteB = lab.site(NatKind.SYMMETRIC);
            lab.dualStack(siteA);
            lab.dualStack(siteB);
            String aIp = "2001:db8:1::2";
            String bIp = "2001:db8:2::2";
            assertThat(siteA.host().ipv6Address()).contains(java.net.InetAddress.getByName(aIp));
            assertThat(siteB.host().ipv6Address()).contains(java.net.InetAddress.getByName(bIp));
            LabProcess a = siteA.host().start("python3", "-c", UDP6, "5000");
            LabProcess stranger = siteA.host().start("python3", "-c", UDP6, "5001");
            LabProcess b = siteB.host().start("python3", "-c", UDP6, "5000");
            for (LabProcess p : List.of(a, stranger, b)) {
                p.awaitLine("READY"::equals, TIMEOUT);
            }

            // From a port B never sends to: not even a late arrival can pass as a reply to B's sends below.
            stranger.writeLine("send " + bIp + " 5000 unsolicited");
            stranger.awaitLine("SENT unsolicited"::equals, TIMEOUT);
            a.writeLine("send " + bIp + " 5000 opener");      // dropped at B's router; opens A's for B:5000
            a.awaitLine("SENT opener"::equals, TIMEOUT);
            b.writeLine("recv 1.5");
            assertThat(b.awaitLine(l -> l.startsWith("RECEIVED") || l.equals("TIMEOUT"), TIMEOUT))
                    .as("B's firewall drops what B never asked for").isEqualTo("TIMEOUT");

            b.writeLine("send " + aIp + " 5000 from-b");     // a reply to A's send: A's firewall lets it in
            a.writeLine("recv 10");
            assertThat(a.awaitLine(l -> l.startsWith("RECEIVED") || l.equals("TIMEOUT"), TIMEOUT))
                    .isEqualTo("RECEIVED from-b " + bIp);
            a.writeLine("send " + bIp + " 5000 from-a");      // now B has sent to A: B's firewall opens
            b.writeLine("recv 10");
            String got = b.awaitLine(l -> l.startsWith("RECEIVED") || l.equals("TIMEOUT"), TIMEOUT);
            if (got.equals("RECEIVED opener " + aIp)) {
                // Held on the way (once in CI, 1.5 s) and let in now as a reply: A:5000 is where B sent.
                b.writeLine("recv 10");
                got = b.awaitLine(l -> l.startsWith("RECEIVED") || l.equals("TIMEOUT"), TIMEOUT);
            }
            assertThat(got).isEqualTo("RECEIVED from-a " + aIp);
            b.writeLine("recv 1");
            assertThat(b.awaitLine(l -> l.startsWith("RECEIVED") || l.equals("TIMEOUT"), TIMEOUT))
                    .as("the unsolicited datagram never arrived, not even late").isEqualTo("TIMEOUT");
        }
    }

    @Test
    void aDualStackUpnpSiteSendsIpv6FromTheHostsOwnAddressAndItsIpv4Translated() throws Exception {
        try (NatLab lab = NatLab.start("upnp6")) {
            Site site = lab.site(NatKind.UPNP);
            lab.dualStack(site);
            LabHost outside = lab.publicHost();
            lab.dualStack(outside);
            String hostIp = "2001:db8:1::2";
            String outsideIp = "2001:db8::101";
            LabProcess host = site.host().start("python3", "-c", UDP6, "5000");
            LabProcess listener = outside.start("python3", "-c", UDP6, "5000");
            for (LabProcess p : List.of(host, listener)) {
                p.awaitLine("READY"::equals, TIMEOUT);
            }
            host.writeLine("send " + outsideIp + " 5000 over-ipv6");
            host.awaitLine("SENT over-ipv6"::equals, TIMEOUT);
            listener.writeLine("recv 10");
            assertThat(listener.awaitLine(l -> l.startsWith("RECEIVED") || l.equals("TIMEOUT"), TIMEOUT))
                    .as("no NAT66: the router's IPv4 masquerade leaves IPv6 alone").isEqualTo("RECEIVED over-ipv6 " + hostIp);
            host.writeLine("send ::ffff:" + outside.address().getHostAddress() + " 5000 over-ipv4");
            host.awaitLine("SENT over-ipv4"::equals, TIMEOUT);
            listener.writeLine("recv 10");
            assertThat(listener.awaitLine(l -> l.startsWith("RECEIVED") || l.equals("TIMEOUT"), TIMEOUT))
                    .as("IPv4 still leaves as the site's public address")
                    .isEqualTo("RECEIVED over-ipv4 ::ffff:" + site.publicAddress().getHostAddress());
        }
    }

    @Test
    void nftAcceptsEveryRuleSetTheLabUses() throws Exception {
        try (NatLab lab = NatLab.start("rules")) {
            List<String> ruleSets = new java.util.ArrayList<>(List.of(NatRules.firewall(true), NatRules.firewall(false),
                    NatRules.routerLoss(5), NatRules.routerLoss(100), NatRules.hostLoss(5, "br0"), NatRules.ipv6Firewall(),
                    NatRules.miniupnpd()));
            for (NatKind kind : NatKind.values()) {
                if (kind != NatKind.NONE) {
                    ruleSets.add(NatRules.translation(kind));
                }
            }
            for (String rules : ruleSets) {
                ExecResult check = lab.internet().execWithInput(TIMEOUT, rules, "nft", "-c", "-f", "-");
                assertThat(check.ok()).as(rules + check.stderr()).isTrue();
            }
        }
    }

    @Test
    void failedCommandReportsItsStderr() throws Exception {
        try (NatLab lab = NatLab.start("errors")) {
            ExecResult result = lab.internet().exec(TIMEOUT, "ip", "link", "set", "nosuchdevice", "up");
            assertThat(result.ok()).isFalse();
            assertThatThrownBy(result::orThrow).isInstanceOf(LabException.class)
                    .hasMessageContaining("nosuchdevice").hasMessageContaining("stderr:");
        }
    }

    @Test
    void closeKillsEveryProcessAndRemovesEveryNamespace() throws Exception {
        NatLab lab = NatLab.start("close");
        Site site = lab.site(NatKind.SYMMETRIC);
        LabProcess sleeper = site.host().start("sleep", "600");
        LabProcess routerSleeper = site.router().start("sleep", "600");
        lab.close();
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(routerSleeper.isAlive()).isFalse();
        assertThat(namespacesStartingWith(lab.prefix() + "-")).isEmpty();
    }

    @Test
    void labAbandonedByADeadJvmIsRemovedByTheNextLab() throws Exception {
        NatLab.requireAvailable(); // this test makes a namespace itself before its lab starts
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        String abandoned = "crzz" + finished.pid() % 100 + "-abandoned";
        Commands.check("ip", "netns", "add", abandoned + "-inet");
        Files.createDirectories(StaleLabs.registry());
        Files.writeString(StaleLabs.registry().resolve(abandoned), finished.pid() + " 1", StandardCharsets.UTF_8);
        try (NatLab lab = NatLab.start("next")) {
            assertThat(namespacesStartingWith(abandoned + "-")).isEmpty();
            assertThat(StaleLabs.registry().resolve(abandoned)).doesNotExist();
        } finally {
            Commands.run(TIMEOUT, null, List.of("ip", "netns", "delete", abandoned + "-inet"));
        }
    }

    private static String ping(LabHost from, String echo, int count) throws LabException {
        return from.startJava(PROBE_JVM, RttProbe.class, "ping", echo, String.valueOf(count))
                .awaitLine(l -> l.startsWith("RTT "), TIMEOUT);
    }

    private static List<String> namespacesStartingWith(String prefix) throws LabException {
        return Commands.check("ip", "netns", "list").stdout().lines().filter(l -> l.startsWith(prefix)).toList();
    }
}
