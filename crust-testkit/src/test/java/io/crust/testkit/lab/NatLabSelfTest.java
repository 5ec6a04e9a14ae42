package io.crust.testkit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.crust.testkit.lab.probe.GatewayProbe;
import io.crust.testkit.lab.probe.NatProbeClient;
import io.crust.testkit.lab.probe.NatProbeServer;
import io.crust.testkit.lab.probe.RttProbe;

import org.junit.jupiter.api.Test;

/**
 * Proves the lab's sites behave as labelled: mapping and filtering measured by probes from two
 * internet addresses, port mappings through miniupnpd by UPnP SOAP and by NAT-PMP reached from
 * the internet, and the TUN link's round-trip time. Prints a table and fails on any mismatch.
 */
class NatLabSelfTest {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> PROBE_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-Xss512k");
    private static final String PRIMARY = NatLab.INTERNET_PRIMARY + ":4000";
    private static final String SAME_ADDRESS = NatLab.INTERNET_PRIMARY + ":4001";
    private static final String OTHER_ADDRESS = NatLab.INTERNET_SECONDARY + ":4000";
    private static final Duration ONE_WAY_DELAY = Duration.ofMillis(25);

    private record Row(String kind, String mapping, String filtering, String expected, boolean pass) {}

    @Test
    void everyNatKindBehavesAsLabelledAndTheLabLeavesNothingBehind() throws Exception {
        long startNanos = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        String prefix;
        try (NatLab lab = NatLab.start("selftest")) {
            prefix = lab.prefix();
            LabProcess server = lab.internet().startJava(PROBE_JVM, NatProbeServer.class, PRIMARY, SAME_ADDRESS, OTHER_ADDRESS);
            server.awaitLine("READY"::equals, PROBE_TIMEOUT);

            Map<NatKind, LabHost> probed = new LinkedHashMap<>();
            Map<NatKind, Site> sites = new LinkedHashMap<>();
            probed.put(NatKind.NONE, lab.publicHost());
            Site upnp = null;
            for (NatKind kind : NatKind.values()) {
                if (kind != NatKind.NONE) {
                    Site site = lab.site(kind);
                    probed.put(kind, site.host());
                    sites.put(kind, site);
                    if (kind == NatKind.UPNP) {
                        upnp = site;
                    }
                }
            }
            Map<NatKind, LabProcess> clients = new LinkedHashMap<>();
            for (Map.Entry<NatKind, LabHost> e : probed.entrySet()) {
                clients.put(e.getKey(), e.getValue().startJava(PROBE_JVM, NatProbeClient.class, PRIMARY, SAME_ADDRESS, OTHER_ADDRESS));
            }
            for (Map.Entry<NatKind, LabProcess> e : clients.entrySet()) {
                NatKind kind = e.getKey();
                String publicAddress = kind == NatKind.NONE ? probed.get(kind).address().getHostAddress()
                        : sites.get(kind).publicAddress().getHostAddress();
                rows.add(behaviourRow(kind, publicAddress, e.getValue()));
            }

            rows.add(gatewayRow("UPNP: SOAP AddPortMapping", server, upnp, "upnp", "upnp",
                    upnp.gateway().getHostAddress(), upnp.host().address().getHostAddress(), "40100"));
            rows.add(gatewayRow("UPNP: NAT-PMP mapping", server, upnp, "natpmp", "natpmp",
                    upnp.gateway().getHostAddress(), "40200"));
            rows.add(tunRow(lab));
        }
        List<String> leftover = Commands.check("ip", "netns", "list").stdout().lines()
                .filter(line -> line.startsWith(prefix + "-")).toList();

        String table = table(rows);
        System.out.println(table);
        System.out.printf(Locale.ROOT, "lab self-test took %.1f s; namespaces left with prefix %s: %s%n",
                (System.nanoTime() - startNanos) / 1e9, prefix, leftover);
        assertThat(rows).as(table).allMatch(Row::pass);
        assertThat(leftover).as("namespaces left behind").isEmpty();
    }

    /** Also checks that the server saw the site's public address (for DOUBLE_NAT: the carrier NAT's). */
    private static Row behaviourRow(NatKind kind, String publicAddress, LabProcess client) throws LabException {
        String[] mappingLine = client.awaitLine(l -> l.startsWith("MAPPING "), PROBE_TIMEOUT).split(" ");
        String mapping = mappingLine[1];
        // A probe that got no reply prints "none" instead of ip:port; the row then fails with it shown.
        String firstSeen = mappingLine.length > 2 ? mappingLine[2] : "?";
        String seenAddress = firstSeen.contains(":") ? firstSeen.substring(0, firstSeen.lastIndexOf(':')) : firstSeen;
        String filtering = client.awaitLine(l -> l.startsWith("FILTERING "), PROBE_TIMEOUT).split(" ")[1];
        String expected = kind.mapping().words() + " / " + kind.filtering().words();
        return new Row(kind.name(), mapping + " via " + seenAddress, filtering, expected + " via " + publicAddress,
                mapping.equals(kind.mapping().words()) && filtering.equals(kind.filtering().words())
                        && seenAddress.equals(publicAddress));
    }

    /** Maps a port with the given protocol, then sends a datagram to it from the internet. */
    private static Row gatewayRow(String check, LabProcess server, Site site, String tag, String... probeArgs)
            throws LabException {
        String port = probeArgs[probeArgs.length - 1];
        LabProcess probe = site.host().startJava(PROBE_JVM, GatewayProbe.class, probeArgs);
        String external = probe.awaitLine(l -> l.startsWith("EXTERNAL "), PROBE_TIMEOUT).substring(9);
        String mapped = probe.awaitLine(l -> l.startsWith("MAPPED "), PROBE_TIMEOUT).substring(7);
        probe.awaitLine(l -> l.startsWith("LISTENING "), PROBE_TIMEOUT);
        server.writeLine("SEND " + site.publicAddress().getHostAddress() + " " + mapped + " hello-" + tag);
        String received = probe.awaitLine(l -> l.startsWith("RECEIVED ") || l.equals("NOTHING"), PROBE_TIMEOUT);
        boolean pass = external.equals(site.publicAddress().getHostAddress())
                && received.startsWith("RECEIVED hello-" + tag + " FROM " + NatLab.INTERNET_PRIMARY + ":");
        return new Row(check, "external " + external + ":" + mapped + " (host port " + port + ")",
                received.startsWith("RECEIVED") ? "inbound datagram received" : "nothing received",
                "inbound datagram received", pass);
    }

    private static Row tunRow(NatLab lab) throws LabException {
        LabHost a = lab.publicHost();
        LabHost b = lab.publicHost();
        try (TunLink link = lab.tunLink(a, b, LinkShape.delay(ONE_WAY_DELAY))) {
            String echoAt = link.addressB().getHostAddress() + ":7000";
            b.startJava(PROBE_JVM, RttProbe.class, "echo", echoAt).awaitLine("READY"::equals, PROBE_TIMEOUT);
            String rtt = a.startJava(PROBE_JVM, RttProbe.class, "ping", echoAt, "20")
                    .awaitLine(l -> l.startsWith("RTT "), PROBE_TIMEOUT);
            double minMs = Double.parseDouble(rtt.split(" ")[1].substring(4));
            double configuredMs = link.shape().roundTrip().toNanos() / 1e6;
            // The emulator adds scheduling delay, never removes any: the floor is exact, the
            // ceiling generous for a loaded 2-core machine.
            boolean pass = minMs >= configuredMs && minMs < configuredMs + 40 && rtt.endsWith("replies=20");
            return new Row("TUN link 2 x " + ONE_WAY_DELAY.toMillis() + " ms", rtt.substring(4), "-",
                    String.format(Locale.ROOT, "min rtt %.0f to %.0f ms, 20 replies", configuredMs, configuredMs + 40), pass);
        }
    }

    private static String table(List<Row> rows) {
        String format = "| %-25s | %-46s | %-26s | %-71s | %-4s |%n";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, format,
                "NAT kind", "mapping observed", "filtering observed", "expected (mapping / filtering)", "pass"));
        out.append(String.format(Locale.ROOT, format, "-".repeat(25), "-".repeat(46), "-".repeat(26), "-".repeat(71), "----"));
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, format, r.kind(), r.mapping(), r.filtering(), r.expected(), r.pass() ? "yes" : "NO"));
        }
        return out.toString();
    }
}
