package io.crust.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The LAN beacon with real multicast and broadcast: hosts on one NAT lab site (one LAN), each running
 * {@link LanBeaconLabPeer} in its own namespace. Skipped without root, ip and nft (fails with CI=true).
 */
class LanBeaconLabTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void hostsOnOneLanFindEachOtherByMulticastAndByBroadcastAndIgnoreOtherNetworks() throws Exception {
        try (NatLab lab = NatLab.start("lan")) {
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            LabHost m1 = site.host();
            LabHost m2 = site.addHost();
            LabHost b1 = site.addHost();
            LabHost b2 = site.addHost();
            try (LabProcess multicastA = start(m1, "mc-net", "multicast");
                    LabProcess multicastB = start(m2, "mc-net", "multicast");
                    LabProcess broadcastA = start(b1, "bc-net", "broadcast");
                    LabProcess broadcastB = start(b2, "bc-net", "broadcast")) {
                String idMA = id(multicastA);
                String idMB = id(multicastB);
                String idBA = id(broadcastA);
                String idBB = id(broadcastB);

                assertThat(multicastA.awaitLine(l -> l.startsWith("FOUND " + idMB), WAIT)).contains(m2.address().getHostAddress());
                assertThat(multicastB.awaitLine(l -> l.startsWith("FOUND " + idMA), WAIT)).contains(m1.address().getHostAddress());
                assertThat(broadcastA.awaitLine(l -> l.startsWith("FOUND " + idBB), WAIT)).contains(b2.address().getHostAddress());
                assertThat(broadcastB.awaitLine(l -> l.startsWith("FOUND " + idBA), WAIT)).contains(b1.address().getHostAddress());
                // Each pair heard the other pair's beacons too (same port, same LAN): another network is never reported.
                for (LabProcess p : new LabProcess[] {multicastA, multicastB, broadcastA, broadcastB}) {
                    assertThat(p.lines().stream().filter(l -> l.startsWith("FOUND"))).hasSize(1);
                }
            }
        }
    }

    @Test
    void hostsOnAnIpv6OnlyLanFindEachOtherByIpv6Multicast() throws Exception {
        try (NatLab lab = NatLab.start("lan6")) {
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            LabHost a = site.host();
            LabHost b = site.addHost();
            lab.dualStack(site);
            lab.ipv6Only(site); // no IPv4 left on the LAN: no IPv4 multicast, no broadcast
            String addressA = a.ipv6Address().orElseThrow().getHostAddress();
            String addressB = b.ipv6Address().orElseThrow().getHostAddress();
            try (LabProcess peerA = start(a, addressA, "v6-net", "multicast");
                    LabProcess peerB = start(b, addressB, "v6-net", "multicast")) {
                String idA = id(peerA);
                String idB = id(peerB);

                assertThat(peerA.awaitLine(l -> l.startsWith("FOUND " + idB), WAIT)).contains(addressB);
                assertThat(peerB.awaitLine(l -> l.startsWith("FOUND " + idA), WAIT)).contains(addressA);
            }
        }
    }

    private static LabProcess start(LabHost host, String network, String mode) throws Exception {
        return start(host, host.address().getHostAddress(), network, mode);
    }

    /** A beacon peer on {@code host} whose record names {@code address}. */
    private static LabProcess start(LabHost host, String address, String network, String mode) throws Exception {
        return host.startJava(LanBeaconLabPeer.class, network, address, mode);
    }

    private static String id(LabProcess process) throws Exception {
        return process.awaitLine(l -> l.startsWith("ID "), WAIT).substring(3);
    }
}
