package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.gateway.Eventually;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Port mapping against a real gateway: Debian's miniupnpd (UPnP IGD, NAT-PMP, PCP) on a lab router.
 * For each protocol a host maps a UDP port, a host on the internet sends to the external address, the
 * datagram must arrive, and after close the dnat rule must be gone from miniupnpd's nft chain.
 * Skipped without root/ip/nft (fails instead with CI=true), as {@link NatLab#start} decides.
 */
@Timeout(300)
class PortMapperLabTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void mappingThroughEachProtocolLetsADatagramFromTheInternetInAndIsGoneAfterClose() throws Exception {
        try (NatLab lab = NatLab.start("portmap")) {
            Site site = lab.site(NatKind.UPNP);
            LabHost internet = lab.publicHost();
            int port = 40000;
            for (MappingProtocol protocol : MappingProtocol.values()) {
                port++;
                LabProcess host = site.host().startJava(MapAndReceive.class, protocol.label(), Integer.toString(port));
                String mapped = host.awaitLine(l -> l.startsWith("MAPPED ") || l.startsWith("FAILED "), WAIT);
                assertThat(mapped).as(protocol + ": " + host.lines()).startsWith("MAPPED ");
                String[] f = mapped.split(" ");
                String external = f[1];
                assertThat(f[2]).isEqualTo(protocol.label());
                assertThat(external).isEqualTo(site.publicAddress().getHostAddress() + ":" + port);
                assertThat(routerRules(site)).as("dnat rule for " + protocol).contains("dport " + port + " dnat");
                System.out.println("lab: " + mapped);

                String[] ipPort = external.split(":");
                internet.exec(Duration.ofSeconds(30), "bash", "-c", "for i in 1 2 3 4 5; do echo hello-" + protocol.label()
                        + " > /dev/udp/" + ipPort[0] + "/" + ipPort[1] + "; sleep 0.3; done").orThrow();
                String received = host.awaitLine(l -> l.startsWith("RECEIVED ") || l.startsWith("NOTHING"), WAIT);
                assertThat(received).as(protocol + " datagram from the internet").startsWith("RECEIVED hello-" + protocol.label());

                host.writeLine("close");
                host.awaitLine(l -> l.startsWith("CLOSED"), WAIT);
                assertThat(host.waitFor(WAIT)).isZero();
                System.out.println("lab: " + protocol.label() + " mapping gone from prerouting_miniupnpd after close");
                assertThat(routerRules(site)).as("dnat rule after close for " + protocol).doesNotContain("dport " + port + " ");
            }
        }
    }

    @Test
    void upnpConflictFromASecondHostIsResolvedWithAnotherExternalPort() throws Exception {
        try (NatLab lab = NatLab.start("portmap-718")) {
            Site site = lab.site(NatKind.UPNP);
            LabHost second = site.addHost();
            LabHost internet = lab.publicHost();
            int port = 40100;
            LabProcess first = site.host().startJava(MapAndReceive.class, "upnp", Integer.toString(port));
            String firstMapped = first.awaitLine(l -> l.startsWith("MAPPED ") || l.startsWith("FAILED "), WAIT);
            assertThat(firstMapped).startsWith("MAPPED " + site.publicAddress().getHostAddress() + ":" + port + " ");
            LabProcess other = second.startJava(MapAndReceive.class, "upnp", Integer.toString(port));
            String otherMapped = other.awaitLine(l -> l.startsWith("MAPPED ") || l.startsWith("FAILED "), WAIT);
            assertThat(otherMapped).as(other.lines().toString()).startsWith("MAPPED ");
            String otherExternal = otherMapped.split(" ")[1];
            // miniupnpd answers the second AddPortMapping with 718; IGD:2 lets the IGD pick with AddAnyPortMapping
            assertThat(otherExternal).isNotEqualTo(site.publicAddress().getHostAddress() + ":" + port);
            System.out.println("lab: second host asking for " + port + " got " + otherExternal);

            for (String external : new String[] {firstMapped.split(" ")[1], otherExternal}) {
                internet.exec(Duration.ofSeconds(30), "bash", "-c", "for i in 1 2 3 4 5; do echo hello > /dev/udp/"
                        + external.replace(':', '/') + "; sleep 0.3; done").orThrow();
            }
            assertThat(first.awaitLine(l -> l.startsWith("RECEIVED") || l.startsWith("NOTHING"), WAIT)).startsWith("RECEIVED hello");
            assertThat(other.awaitLine(l -> l.startsWith("RECEIVED") || l.startsWith("NOTHING"), WAIT)).startsWith("RECEIVED hello");
            for (LabProcess p : new LabProcess[] {first, other}) {
                p.writeLine("close");
                p.awaitLine(l -> l.startsWith("CLOSED"), WAIT);
                assertThat(p.waitFor(WAIT)).isZero();
            }
            assertThat(routerRules(site)).doesNotContain(" dnat ");
        }
    }

    @Test
    void aPinholeThroughPcpOrUpnpLetsUnsolicitedIpv6DatagramsThroughTheRoutersFirewallUntilClosed() throws Exception {
        try (NatLab lab = NatLab.start("pinhole")) {
            Site site = lab.site(NatKind.UPNP);
            lab.dualStack(site);
            LabHost internet = lab.publicHost();
            lab.dualStack(internet);
            InetAddress hostAddress = site.host().ipv6Address().orElseThrow();
            String hostIpv6 = hostAddress.getHostAddress();
            String gateway = routeViaLinkLocal(site);
            System.out.println("lab: the host's IPv6 default route is via " + gateway + ", as router advertisements give it");
            int port = 40200;
            long dropped = 0;
            for (MappingProtocol protocol : new MappingProtocol[] {MappingProtocol.PCP, MappingProtocol.UPNP}) {
                port++;
                LabProcess host = site.host().startJava(PinholeAndReceive.class, protocol.label(), Integer.toString(port));
                host.awaitLine(l -> l.equals("READY"), WAIT);
                // the firewall drops these (its drop rule counts them); were they let in, the host would receive "before" first
                long sentNanos = System.nanoTime();
                sendUdp(internet, hostIpv6, port, "before", 3);
                long droppedBefore = dropped;
                assertThat(Eventually.holds(WAIT, () -> firewallDrops(site) >= droppedBefore + 3))
                        .as("the firewall dropped the 3 datagrams").isTrue();
                dropped = firewallDrops(site);
                System.out.println("lab: " + protocol.label() + ": 3 unsolicited datagrams dropped within "
                        + (System.nanoTime() - sentNanos) / 1_000_000 + " ms");

                host.writeLine("open");
                String opened = host.awaitLine(l -> l.startsWith("PINHOLE ") || l.startsWith("FAILED "), WAIT);
                assertThat(opened).as(host.lines().toString()).startsWith("PINHOLE ");
                String[] f = opened.split(" ");
                assertThat(f[1]).isEqualTo("[" + hostIpv6 + "]:" + port);
                assertThat(f[2]).isEqualTo(protocol.label());
                assertThat(pinholeRules(site)).as("miniupnpd's pinhole rule").contains("dport " + port + " " + ruleDestination(hostAddress));
                System.out.println("lab: " + opened);

                sendUdp(internet, hostIpv6, port, "after", 5);
                String received = host.awaitLine(l -> l.startsWith("RECEIVED ") || l.startsWith("NOTHING"), WAIT);
                assertThat(received).as("the first datagram through the firewall").startsWith("RECEIVED after FROM /" + internetIpv6(internet));

                host.writeLine("close");
                host.awaitLine(l -> l.startsWith("CLOSED"), WAIT);
                assertThat(host.waitFor(WAIT)).isZero();
                assertThat(pinholeRules(site)).as("pinhole rule after close").doesNotContain("dport " + port + " ");
            }
        }
    }

    /**
     * Points the host's IPv6 default route at the router's link-local address, as router advertisements
     * do on a real LAN (the lab's routes use the router's global address): the gateway is then only
     * reachable with its interface as zone, and requests must still come from the host's global address.
     * Waits until the router's address has passed duplicate address detection.
     */
    private static String routeViaLinkLocal(Site site) throws Exception {
        Pattern linkLocal = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64 scope link(?! tentative)");
        String[] found = new String[1];
        assertThat(Eventually.holds(WAIT, () -> {
            try {
                Matcher m = linkLocal.matcher(site.router().exec(Duration.ofSeconds(20), "ip", "-6", "addr", "show", "dev", "lan")
                        .orThrow().stdout());
                found[0] = m.find() ? m.group(1) : null;
                return found[0] != null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).as("the router's LAN has a usable link-local address").isTrue();
        site.host().exec(Duration.ofSeconds(20), "ip", "-6", "route", "replace", "default", "via", found[0], "dev", "eth0").orThrow();
        return found[0] + "%eth0";
    }

    private static void sendUdp(LabHost from, String ipv6, int port, String text, int times) throws Exception {
        from.exec(Duration.ofSeconds(30), "bash", "-c", "for i in $(seq " + times + "); do echo " + text + " > /dev/udp/"
                + ipv6 + "/" + port + "; sleep 0.2; done").orThrow();
    }

    /**
     * miniupnpd's pinhole rule matches the destination as raw header bytes, which nft prints as hex:
     * {@code @nh,192,128 0x20010db8000100000000000000000002}.
     */
    private static String ruleDestination(InetAddress ipv6) {
        return "@nh,192,128 0x" + HexFormat.of().formatHex(ipv6.getAddress());
    }

    private static String internetIpv6(LabHost internet) {
        return internet.ipv6Address().orElseThrow().getHostAddress();
    }

    /** What the IPv6 firewall's drop rule has counted: {@code meta nfproto ipv6 counter packets N bytes M drop}. */
    private static long firewallDrops(Site site) {
        try {
            String chain = site.router().exec(Duration.ofSeconds(20), "nft", "list", "chain", "inet", "filter", "forward")
                    .orThrow().stdout();
            Matcher m = Pattern.compile("counter packets (\\d+) bytes \\d+ drop").matcher(chain);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pinholeRules(Site site) throws Exception {
        return site.router().exec(Duration.ofSeconds(20), "nft", "list", "chain", "inet", "filter", "miniupnpd")
                .orThrow().stdout();
    }

    private static String routerRules(Site site) throws Exception {
        return site.router().exec(Duration.ofSeconds(20), "nft", "list", "chain", "inet", "filter", "prerouting_miniupnpd")
                .orThrow().stdout();
    }

    /**
     * The lab hosts' common end: prints the first datagram within 30 s ({@code RECEIVED text FROM /address}, or
     * {@code NOTHING}), then on the stdin line {@code close} deletes the mapping and prints {@code CLOSED}.
     */
    static void receiveOneThenCloseOnWord(DatagramSocket socket, BufferedReader in, PortMapping mapping) throws java.io.IOException {
        socket.setSoTimeout(30_000);
        byte[] buffer = new byte[1500];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
            System.out.println("RECEIVED " + new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8).trim()
                    + " FROM " + packet.getAddress());
        } catch (SocketTimeoutException e) {
            System.out.println("NOTHING");
        }
        awaitWord(in, "close");
        mapping.close();
        System.out.println("CLOSED");
    }

    private static void awaitWord(BufferedReader in, String word) throws java.io.IOException {
        String line;
        while ((line = in.readLine()) != null && !line.equals(word)) {
            // wait for the test's word
        }
    }

    /**
     * Runs on the lab host: {@code PinholeAndReceive <protocol> <port>} binds UDP {@code port} on all addresses
     * and prints {@code READY}; on the stdin line {@code open} asks the gateway for an IPv6 pinhole to it through
     * {@code protocol}, prints {@code PINHOLE [ip]:port protocol} and the first datagram that arrives
     * ({@code RECEIVED text FROM address}); on {@code close} deletes the pinhole and prints {@code CLOSED}.
     */
    public static final class PinholeAndReceive {
        public static void main(String[] args) throws Exception {
            MappingProtocol protocol = MappingProtocol.fromLabel(args[0]);
            int port = Integer.parseInt(args[1]);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(port));
                    PortMapper mapper = PortMappers.of(protocol, PortMapperOptions.defaults())) {
                System.out.println("READY");
                awaitWord(in, "open");
                PortMapping pinhole;
                long startNanos = System.nanoTime();
                try {
                    pinhole = mapper.openPinhole(IpProtocol.UDP, port, Duration.ofMinutes(10));
                } catch (NatException e) {
                    System.out.println("FAILED " + e.getMessage());
                    return;
                }
                System.out.println("PINHOLE [" + pinhole.external().getAddress().getHostAddress() + "]:"
                        + pinhole.external().getPort() + " " + pinhole.protocol().label() + " in "
                        + (System.nanoTime() - startNanos) / 1_000_000 + " ms");
                receiveOneThenCloseOnWord(socket, in, pinhole);
            }
        }
    }

    /**
     * Runs on the lab host: {@code MapAndReceive <protocol> <port>} maps UDP {@code port}, prints
     * {@code MAPPED ip:port protocol}, waits for one datagram ({@code RECEIVED text}), then on the stdin line
     * {@code close} deletes the mapping and prints {@code CLOSED}.
     */
    public static final class MapAndReceive {
        public static void main(String[] args) throws Exception {
            MappingProtocol protocol = MappingProtocol.fromLabel(args[0]);
            int port = Integer.parseInt(args[1]);
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(port));
                    PortMapper mapper = PortMappers.of(protocol, PortMapperOptions.defaults())) {
                PortMapping mapping;
                long startNanos = System.nanoTime();
                try {
                    mapping = mapper.map(IpProtocol.UDP, port, port, Duration.ofMinutes(10));
                } catch (NatException e) {
                    System.out.println("FAILED " + e.getMessage());
                    return;
                }
                System.out.println("MAPPED " + mapping.external().getAddress().getHostAddress() + ":"
                        + mapping.external().getPort() + " " + mapping.protocol().label() + " in "
                        + (System.nanoTime() - startNanos) / 1_000_000 + " ms");
                receiveOneThenCloseOnWord(socket, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                        mapping);
            }
        }
    }
}
