package io.crust.core.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.lab.LabNodes.Node;
import io.crust.core.lab.LabNodes.Outcome;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CI share of the NAT matrix (crust-bench's {@code LabMatrix} runs all 49 pairs of kinds, 10 tries
 * each): one pair for each way a connect by peer id can end, each tried {@code -Dcrust.lab.matrixTries=N}
 * times (2 unless told), in one lab with one public relay node. Each pair is chosen so that only one
 * route can win, whatever the timing:
 * <ul>
 *   <li>symmetric to public host: A's dial of B's own address, TCP or crust-udt (whichever answers first
 *       of the two it races), not a punched path (B cannot reach a symmetric NAT): {@code DIRECT};</li>
 *   <li>symmetric to a UPnP site whose router mapped B's ports: A's dial of the mapping, not a punched
 *       path (a symmetric NAT defeats plain punching towards a port-restricted cone): {@code MAPPED};</li>
 *   <li>symmetric to full cone: the full cone NAT lets A's packets in at B's mapped port, and nothing
 *       else reaches B: {@code PUNCHED};</li>
 *   <li>symmetric to symmetric: no direct path exists: {@code RELAYED}, with no upgrade.</li>
 * </ul>
 * The connection may come up on another route first (the relay wins the race, or crust-udt before TCP)
 * and move; it must end on the expected one within 10 s. Every first connection must come within 3 s
 * (issue 10's p99 bound), and the connection must carry a message.
 */
class NatMatrixLabTest {
    private static final int TRIES = Integer.getInteger("crust.lab.matrixTries", 2);
    private static final long FIRST_CONNECTION_MAX_MILLIS = 3000;
    /**
     * How long a first connection on another route may take to move to the expected one (a relayed one
     * to a direct path, a punched crust-udt one to a TCP dial that registered after it): connect's own
     * direct attempts run up to 10 s.
     */
    private static final Duration SETTLE_WAIT = Duration.ofSeconds(10);
    private static final List<String> DEBUG_CONNECT = List.of("-Dorg.slf4j.simpleLogger.log.io.crust.core.connect=debug");

    @Test
    void onePairOfEachRouteConnectsByIdOverTheRouteItsNatsAllow() throws Exception {
        try (NatLab lab = NatLab.start("coreMsub"); LabNodes nodes = LabNodes.withPublicNodes(lab, 1)) {
            Node symmetric = nodes.peer(lab.hostBehind(NatKind.SYMMETRIC), DEBUG_CONNECT);
            Node publicHost = nodes.peer(lab.hostBehind(NatKind.NONE), DEBUG_CONNECT);
            Site upnpSite = lab.site(NatKind.UPNP);
            Node upnp = nodes.peer(upnpSite.host(), DEBUG_CONNECT, "--port-mapping");
            Node fullCone = nodes.peer(lab.hostBehind(NatKind.FULL_CONE), DEBUG_CONNECT);
            Node otherSymmetric = nodes.peer(lab.hostBehind(NatKind.SYMMETRIC), DEBUG_CONNECT);
            LabNodes.awaitTcpMapping(upnp, upnpSite.publicAddress().getHostAddress());

            List<String> problems = new ArrayList<>();
            StringBuilder table = new StringBuilder("| A | B | expected | tries |\n|---|---|---|---|\n");
            check("SYMMETRIC", symmetric, "NONE", publicHost, "DIRECT", problems, table);
            check("SYMMETRIC", symmetric, "UPNP", upnp, "MAPPED", problems, table);
            check("SYMMETRIC", symmetric, "FULL_CONE", fullCone, "PUNCHED", problems, table);
            check("SYMMETRIC", symmetric, "SYMMETRIC", otherSymmetric, "RELAYED", problems, table);
            System.out.print(table);
            assertThat(problems).as(table.toString()).isEmpty();
        }
    }

    /** Connects A to B {@link #TRIES} times; notes each try where the route or the time is off. */
    private static void check(String kindA, Node a, String kindB, Node b, String expectedRoute, List<String> problems,
            StringBuilder table) throws Exception {
        List<String> seen = new ArrayList<>();
        for (int t = 1; t <= TRIES; t++) {
            Outcome o = LabNodes.connect(a, b, route -> route.startsWith(expectedRoute), SETTLE_WAIT);
            seen.add(o.toString());
            String pair = kindA + " -> " + kindB + ", try " + t + ": ";
            if (!o.finalRoute().startsWith(expectedRoute)) {
                problems.add(pair + "ended " + o.finalRoute() + ", expected " + expectedRoute + " (" + o + ")");
            }
            if (o.millis() >= FIRST_CONNECTION_MAX_MILLIS) {
                problems.add(pair + "first connection after " + o.millis() + " ms");
            }
            LabNodes.exchange(a, b, "matrix-" + kindA + "-" + kindB + "-" + t);
            LabNodes.separate(a, b);
        }
        table.append("| ").append(kindA).append(" | ").append(kindB).append(" | ").append(expectedRoute).append(" | ")
                .append(String.join("; ", seen)).append(" |\n");
    }
}
