package io.crust.demo.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.demo.Main;
import io.crust.testkit.lab.LabException;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo peer behind the lab's UPnP router (miniupnpd), where every start maps ports through jupnp:
 * standard error carries no jupnp line, with or without {@code --json}, unless {@code --debug} asks
 * for one. Each peer is its own JVM, so slf4j-simple starts from the demo's own configuration.
 * Skipped without root, ip and nft (failing instead with CI=true).
 */
class QuietPeerLabTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void aPeerThatMapsItsPortsWritesNoJupnpLineToStandardErrorUnlessDebugging() throws Exception {
        try (NatLab lab = NatLab.start("quiet")) {
            Site site = lab.site(NatKind.UPNP);
            // The router answers NAT-PMP and PCP with ICMP port unreachable, so the mapper falls through to
            // UPnP IGD, which is jupnp's part.
            site.router().exec(WAIT, "nft", "insert rule inet crust_fw input iifname \"lan\" udp dport 5351 reject")
                    .orThrow();
            List<String> json = stderrAfterMapping(site.host(), dir.resolve("json"), true, "--json");
            List<String> shell = stderrAfterMapping(site.host(), dir.resolve("shell"), false);
            List<String> debug = stderrAfterMapping(site.host(), dir.resolve("debug"), true, "--json", "--debug");

            assertThat(json).as("stderr of peer --json").noneMatch(l -> l.contains("org.jupnp"))
                    .anyMatch(l -> l.contains("INFO io.crust.nat.gateway.AutoPortMapper - port mapping through upnp"));
            assertThat(shell).as("stderr of peer").noneMatch(l -> l.contains("org.jupnp"));
            // The check above can fail: the same run with --debug does show jupnp's lines.
            assertThat(debug).as("stderr of peer --json --debug").anyMatch(l -> l.contains("org.jupnp"));
        }
    }

    /** Starts a peer, waits until it reports a mapped address, stops it, and returns its stderr lines. */
    private static List<String> stderrAfterMapping(LabHost host, Path dataDir, boolean json, String... options)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("peer", "--network", "lab", "--data-dir", dataDir.toString()));
        args.addAll(List.of(options));
        try (LabProcess peer = host.startJava(List.of("-Xmx256m"), Main.class, args.toArray(String[]::new))) {
            awaitExternalAddress(peer, json);
            peer.writeLine("quit");
            assertThat(peer.waitFor(WAIT)).isZero();
            return Files.readAllLines(peer.stderrLog());
        }
    }

    /**
     * Asks {@code id} until the peer knows an external address, which behind this router only the port
     * mapping gives. The peer has no event for a new mapping, so this polls.
     */
    private static void awaitExternalAddress(LabProcess peer, boolean json) throws LabException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            peer.writeLine("id");
            String line = json
                    ? peer.awaitLine(l -> l.startsWith("{\"event\":\"id\""), WAIT)
                    : peer.awaitLine(l -> l.startsWith("  TCP "), WAIT);
            if (!line.contains("\"external\":[]") && !line.contains("none known yet")) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no mapped address within " + WAIT);
    }
}
