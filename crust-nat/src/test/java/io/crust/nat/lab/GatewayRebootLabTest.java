package io.crust.nat.lab;

import io.crust.nat.IpProtocol;
import io.crust.nat.PortMappers;
import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMapping;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A gateway reboot against a real miniupnpd (Debian 12's 2.3.1: UPnP IGD, NAT-PMP and PCP) on a lab router.
 * Three processes on the site's host each map a UDP port through one protocol with a 10-minute lease, so
 * no renewal falls inside the test. Then miniupnpd is killed, its nft rules and the router's conntrack
 * table are wiped (what a power cycle loses) and it is started again. Each mapping must come back by
 * itself: the process logs the re-creation, the dnat rule is back in miniupnpd's chain, and a datagram
 * from the internet reaches the host through it. Two rounds in one lab: with the default options (the
 * restart announcement on 224.0.0.1:5350 is heard), then with the listener off and a check every 2 s.
 * The times are printed ({@code grep '^reboot lab'} in the test's output).
 */
@Timeout(400)
class GatewayRebootLabTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** miniupnpd announces its restart; measured 0.1 to 0.4 s, 5 s leaves a loaded machine's margin. */
    private static final Duration BACK_AFTER_ANNOUNCEMENT = Duration.ofSeconds(5);
    /** Without announcements the checks find the loss: every 2 s in that round, plus the same margin. */
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);
    private static final Duration BACK_AFTER_CHECK = CHECK_INTERVAL.plusSeconds(5);

    @Test
    void afterAGatewayRebootEveryProtocolsMappingIsBackWithinSecondsAndReachable() throws Exception {
        try (NatLab lab = NatLab.start("gwreboot")) {
            Site site = lab.site(NatKind.UPNP);
            LabHost internet = lab.publicHost();
            // round 1: default options, so the restart announcement is heard
            rebootAndAwait(site, internet, 40200, "announcements", BACK_AFTER_ANNOUNCEMENT);
            // round 2: no listener, a check every 2 s: the epoch (NAT-PMP external address, PCP ANNOUNCE)
            // and GetSpecificPortMappingEntry must show the loss by themselves
            rebootAndAwait(site, internet, 40210, "checks", BACK_AFTER_CHECK);
        }
    }

    private static void rebootAndAwait(Site site, LabHost internet, int basePort, String mode, Duration bound) throws Exception {
        Map<MappingProtocol, Integer> ports = new EnumMap<>(MappingProtocol.class);
        Map<MappingProtocol, LabProcess> hosts = new EnumMap<>(MappingProtocol.class);
        for (MappingProtocol protocol : MappingProtocol.values()) {
            int port = basePort + protocol.ordinal() + 1;
            ports.put(protocol, port);
            hosts.put(protocol, site.host().startJava(List.of("-Dorg.slf4j.simpleLogger.logFile=System.out"),
                    MapAndWatch.class, protocol.label(), Integer.toString(port), mode));
        }
        for (var e : hosts.entrySet()) {
            String mapped = e.getValue().awaitLine(l -> l.startsWith("MAPPED ") || l.startsWith("FAILED "), WAIT);
            assertThat(mapped).as(e.getKey() + ": " + e.getValue().lines()).startsWith("MAPPED "
                    + site.publicAddress().getHostAddress() + ":" + ports.get(e.getKey()) + " " + e.getKey().label());
        }
        String rules = routerRules(site);
        ports.values().forEach(port -> assertThat(rules).contains("dport " + port + " dnat"));

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<MappingProtocol, Future<Long>> backAt = new EnumMap<>(MappingProtocol.class);
            long restartNanos = System.nanoTime();
            for (var e : hosts.entrySet()) {
                LabProcess host = e.getValue();
                backAt.put(e.getKey(), pool.submit(() -> {
                    // "re-created as" when the epoch showed the loss, "requested again as" after an announcement it did not
                    host.awaitLine(l -> l.contains("re-created as") || l.contains("requested again as"), WAIT.plus(WAIT));
                    return System.nanoTime();
                }));
            }
            site.restartMiniUpnpd(true);
            long readyNanos = System.nanoTime();
            System.out.printf("reboot lab (%s): miniupnpd killed, rules and conntrack wiped, restarted and ready in %d ms%n",
                    mode, TimeUnit.NANOSECONDS.toMillis(readyNanos - restartNanos));
            for (var e : backAt.entrySet()) {
                long at = e.getValue().get(2, TimeUnit.MINUTES);
                Duration sinceReady = Duration.ofNanos(Math.max(0, at - readyNanos));
                boolean announced = hosts.get(e.getKey()).lines().stream().anyMatch(l -> l.contains("announced a restart"));
                System.out.printf("reboot lab (%s): %s mapping re-created %d ms after miniupnpd was ready (%d ms after the kill), %s%n",
                        mode, e.getKey().label(), sinceReady.toMillis(), TimeUnit.NANOSECONDS.toMillis(at - restartNanos),
                        announced ? "after its restart announcement" : "found by the periodic check");
                assertThat(announced).as(e.getKey() + " heard the announcement").isEqualTo(mode.equals("announcements"));
                assertThat(sinceReady).as(e.getKey() + " back within").isLessThan(bound);
            }
        }
        String after = routerRules(site);
        ports.values().forEach(port -> assertThat(after).as("dnat rule after the reboot").contains("dport " + port + " dnat"));

        for (var e : hosts.entrySet()) {
            String text = "hello-" + e.getKey().label();
            internet.exec(Duration.ofSeconds(30), "bash", "-c", "for i in 1 2 3 4 5; do echo " + text + " > /dev/udp/"
                    + site.publicAddress().getHostAddress() + "/" + ports.get(e.getKey()) + "; sleep 0.3; done").orThrow();
            assertThat(e.getValue().awaitLine(l -> l.startsWith("RECEIVED "), WAIT)).isEqualTo("RECEIVED " + text);
        }
        for (var e : hosts.entrySet()) {
            e.getValue().writeLine("close");
            e.getValue().awaitLine(l -> l.startsWith("CLOSED"), WAIT);
            assertThat(e.getValue().waitFor(WAIT)).isZero();
        }
        String closed = routerRules(site);
        ports.values().forEach(port -> assertThat(closed).doesNotContain("dport " + port + " "));
    }

    private static String routerRules(Site site) throws Exception {
        return site.router().exec(Duration.ofSeconds(20), "nft", "list", "chain", "inet", "filter", "prerouting_miniupnpd")
                .orThrow().stdout();
    }

    /**
     * Runs on the lab host: {@code MapAndWatch <protocol> <port> announcements|checks} maps UDP {@code port}
     * for 10 minutes, with the default options or with no announcement listener and a check every 2 s, and prints {@code MAPPED ip:port protocol}; a virtual thread prints
     * {@code RECEIVED text} for each datagram; the stdin line {@code close} deletes the mapping, prints
     * {@code CLOSED} and ends (closing the socket ends the receiving thread).
     */
    public static final class MapAndWatch {
        public static void main(String[] args) throws Exception {
            MappingProtocol protocol = MappingProtocol.fromLabel(args[0]);
            int port = Integer.parseInt(args[1]);
            PortMapperOptions options = args[2].equals("checks")
                    ? PortMapperOptions.defaults().withAnnouncementPort(0).withCheckInterval(CHECK_INTERVAL)
                    : PortMapperOptions.defaults();
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(port));
                    PortMapper mapper = PortMappers.of(protocol, options)) {
                PortMapping mapping;
                try {
                    mapping = mapper.map(IpProtocol.UDP, port, port, Duration.ofMinutes(10));
                } catch (NatException e) {
                    System.out.println("FAILED " + e.getMessage());
                    return;
                }
                System.out.println("MAPPED " + mapping.external().getAddress().getHostAddress() + ":"
                        + mapping.external().getPort() + " " + mapping.protocol().label());
                Thread receiver = Thread.ofVirtual().name("lab-receiver").start(() -> {
                    byte[] buffer = new byte[1500];
                    while (true) {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        try {
                            socket.receive(packet);
                        } catch (IOException closed) {
                            return;
                        }
                        System.out.println("RECEIVED " + new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8).trim());
                    }
                });
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.equals("close")) {
                    // wait for the test's word
                }
                mapping.close();
                socket.close();
                receiver.join();
                System.out.println("CLOSED");
            }
        }
    }
}
