package io.crust.core.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.proof.LabCrowd;
import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/reliability.md F3 in the NAT lab: a crowd of fresh identities from 60 source addresses in two /24
 * prefixes fills a public node's connection table, and a peer behind a NAT still gets in at its first
 * bootstrap dial: the node evicts an idle unknown member of the crowd to make room.
 */
class CrowdLabTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int PORT = 5483;
    private static final int MAX_CONNECTIONS = 64;
    private static final int CROWD = 120;
    private static final List<String> PREFIXES = List.of("198.51.100.", "192.0.2.");

    @Test
    void aCrowdOfFreshIdentitiesFromManyAddressesDoesNotKeepAPeerBehindANatOut() throws Exception {
        try (NatLab lab = NatLab.start("coreCrowd")) {
            LabHost node = lab.publicHost();
            LabHost crowdHost = lab.publicHost();
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            List<String> sources = new ArrayList<>();
            for (String prefix : PREFIXES) {
                for (int i = 10; i < 40; i++) {
                    crowdHost.exec(WAIT, "ip", "addr", "add", prefix + i + "/24", "dev", "eth0");
                    sources.add(prefix + i);
                }
                // The crowd's prefixes are on the internet segment itself: the node answers them there.
                node.exec(WAIT, "ip", "route", "add", prefix + "0/24", "dev", "eth0");
            }
            String contact = node.address().getHostAddress() + ":" + PORT;
            try (LabProcess target = node.startJava(LabPeer.class, "--port", String.valueOf(PORT),
                    "--max-connections", String.valueOf(MAX_CONNECTIONS))) {
                String targetId = target.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length());
                List<String> crowdArgs = new ArrayList<>(List.of(contact, "lab", String.valueOf(CROWD)));
                crowdArgs.addAll(sources);
                try (LabProcess crowd = crowdHost.startJava(LabCrowd.class, crowdArgs.toArray(String[]::new))) {
                    String dialled = crowd.awaitLine(l -> l.startsWith("CROWD "), WAIT);
                    System.out.println("crowd of " + CROWD + " fresh identities from " + sources.size() + " addresses: " + dialled);
                    assertThat(dialled).isEqualTo("CROWD connected " + CROWD + " refused 0");
                    // Every handshake beyond the limit evicted an idle unknown member of the crowd.
                    for (int i = 0; i < CROWD - MAX_CONNECTIONS; i++) {
                        target.awaitLine(CrowdLabTest::evicted, WAIT);
                    }
                    assertThat(peers(target)).as("the node's peers once the crowd has dialled").hasSize(MAX_CONNECTIONS);

                    long start = System.nanoTime();
                    try (LabProcess newcomer = site.host().startJava(LabPeer.class, "--contact", contact)) {
                        String newcomerId = newcomer.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length());
                        String connected = newcomer.awaitLine(l -> l.startsWith("EVENT PeerConnected " + targetId), WAIT);
                        long millis = (System.nanoTime() - start) / 1_000_000;
                        // Bootstrap dials the contact's TCP address first and UDP only if TCP fails: TCP means the first dial got in.
                        assertThat(connected).as("the newcomer's first bootstrap dial got in").endsWith(" TCP");
                        target.awaitLine(CrowdLabTest::evicted, WAIT); // the one that made room for it
                        crowd.writeLine("status");
                        String status = crowd.awaitLine(l -> l.startsWith("STATUS "), WAIT);
                        System.out.println("newcomer behind a port-restricted cone NAT connected in " + millis
                                + " ms (its JVM's start included, " + connected + "); the crowd: " + status);
                        List<String> after = peers(target);
                        System.out.println("the node evicted " + target.lines().stream().filter(CrowdLabTest::evicted).count()
                                + " idle unknown peers in all and holds " + after.size());
                        assertThat(after).hasSize(MAX_CONNECTIONS).contains(newcomerId);
                    }
                }
            }
        }
    }

    private static boolean evicted(String line) {
        return line.startsWith("EVENT PeerLost") && line.contains("reason=EVICTED");
    }

    /** The node's peers, as its {@code peers} command lists them. */
    private static List<String> peers(LabProcess target) throws Exception {
        target.writeLine("peers");
        String line = target.awaitLine(l -> l.startsWith("PEERS"), WAIT);
        return line.equals("PEERS") ? List.of() : List.of(line.substring("PEERS ".length()).split(" "));
    }
}
