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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * connect(PeerId) across real Linux NATs (see docs/lab.md): a public node (203.0.113.101) is the
 * bootstrap contact, rendezvous and relay; two nodes behind NATs connect to each other by peer id.
 * Each test prints the time from {@code connect} to connected, as measured inside the peer process.
 */
class ConnectionLabTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int PORT = 5483;
    /** Gathering, punching and dial failures are logged at debug: keep them, so a failure explains itself. */
    private static final List<String> DEBUG_CONNECT = List.of("-Dorg.slf4j.simpleLogger.log.io.crust.core.connect=debug");

    private List<LabProcess> natedPeers = List.of();

    @Test
    void peersBehindDifferentConeNatsConnectByIdOverAPunchedPath() throws Exception {
        try (NatLab lab = NatLab.start("coreCone")) {
            String line = connectAcross(lab, NatKind.PORT_RESTRICTED_CONE, NatKind.ADDRESS_RESTRICTED_CONE);
            String[] f = line.split(" ");
            // Two NATs that both filter: the only way through is a hole each side punches (UDP hole
            // punching or TCP simultaneous open, either transport). Neither side's own interface is
            // reachable from the other, so a dial that answers is one the punching let in: PUNCHED.
            assertThat(f[2]).as(() -> "route of " + line + "; what the two peers logged about the direct attempt:\n"
                    + directAttemptLog()).isEqualTo("PUNCHED");
        }
    }

    /**
     * Without UDP only TCP can make a direct path, and through two restricting NATs only a TCP
     * simultaneous open does: each side's SYN opens its own NAT for the other's.
     */
    @Test
    void peersBehindConeNatsWithoutUdpConnectByTcpSimultaneousOpen() throws Exception {
        try (NatLab lab = NatLab.start("coreTcp")) {
            String line = connectAcross(lab, NatKind.PORT_RESTRICTED_CONE, NatKind.ADDRESS_RESTRICTED_CONE, "--no-udp");
            String[] f = line.split(" ");
            assertThat(f[2] + " " + f[3]).as(() -> "route of " + line + "; what the two peers logged about the direct attempt:\n"
                    + directAttemptLog()).isEqualTo("PUNCHED TCP");
        }
    }

    @Test
    void peersBehindSymmetricNatsConnectByIdThroughARelay() throws Exception {
        try (NatLab lab = NatLab.start("coreSym")) {
            String line = connectAcross(lab, NatKind.SYMMETRIC, NatKind.SYMMETRIC);
            assertThat(line.split(" ")[2]).as("route of " + line).isEqualTo("RELAYED");
        }
    }

    /** The two NATed peers' log lines about gathering, punching and dialling. */
    private String directAttemptLog() {
        StringBuilder out = new StringBuilder();
        for (LabProcess p : natedPeers) {
            try (var lines = Files.lines(p.stderrLog())) {
                lines.filter(l -> l.contains("io.crust.core.connect") || l.contains("punch") || l.contains("dial"))
                        .limit(40).forEach(l -> out.append(p.name()).append(": ").append(l).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                out.append(p.name()).append(": log unreadable: ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    /** Starts the public node and two NATed nodes, connects the first to the second by id; the CONNECTED line. */
    private String connectAcross(NatLab lab, NatKind kindA, NatKind kindB, String... natedOptions) throws Exception {
        LabHost hub = lab.publicHost();
        Site siteA = lab.site(kindA);
        Site siteB = lab.site(kindB);
        LabProcess hubNode = hub.startJava(LabPeer.class, "--port", String.valueOf(PORT), "--relay");
        hubNode.awaitLine(l -> l.startsWith("READY "), WAIT);
        String contact = hub.address().getHostAddress() + ":" + PORT;
        List<String> args = new java.util.ArrayList<>(List.of("--contact", contact));
        args.addAll(List.of(natedOptions));
        LabProcess a = siteA.host().startJava(DEBUG_CONNECT, LabPeer.class, args.toArray(String[]::new));
        LabProcess b = siteB.host().startJava(DEBUG_CONNECT, LabPeer.class, args.toArray(String[]::new));
        natedPeers = List.of(a, b);
        // awaitLine reads forward: take each process's lines in the order it prints them.
        String aId = a.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length());
        String bId = b.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length());
        a.awaitLine(l -> l.startsWith("EVENT BootstrapFinished"), WAIT);
        b.awaitLine(l -> l.startsWith("EVENT BootstrapFinished"), WAIT);

        a.writeLine("connect " + bId);
        String result = a.awaitLine(l -> l.startsWith("CONNECTED ") || l.startsWith("FAILED "), WAIT);
        System.out.println(kindA + " -> " + kindB + ": " + result);
        assertThat(result).startsWith("CONNECTED " + bId);

        a.writeLine("send " + bId + " hello-across-nats");
        b.awaitLine(l -> l.equals("MESSAGE " + aId + " hello-across-nats"), WAIT);
        return result;
    }
}
