package io.crust.demo.nat;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.demo.Main;
import io.crust.testkit.lab.ExecResult;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The STUN demo commands inside the NAT lab: {@code nat stun} and {@code nat classify} on a host
 * behind a port-restricted cone against stund, and {@code nat stun-server} on the internet side
 * read by stund's own client.
 */
class NatStunCommandsLabTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void stunClassifyAndStunServerWorkThroughARealNat() throws Exception {
        try (NatLab lab = NatLab.start("demostun")) {
            String stund = lab.startStunServer().getAddress().getHostAddress() + ":" + NatLab.STUN_PORT;
            Site site = lab.site(NatKind.PORT_RESTRICTED_CONE);
            String publicIp = site.publicAddress().getHostAddress();

            String stun = site.host().startJava(Main.class, "nat", "stun", "--server", stund, "--json")
                    .awaitLine(l -> l.startsWith("{"), WAIT);
            String classify = site.host().startJava(Main.class, "nat", "classify", "--server", stund, "--json")
                    .awaitLine(l -> l.startsWith("{"), WAIT);
            LabProcess server = lab.internet().startJava(Main.class, "nat", "stun-server", "--bind",
                    NatLab.INTERNET_PRIMARY, "--port", "3500", "--alternate-ip", NatLab.INTERNET_SECONDARY, "--json");
            server.awaitLine(l -> l.contains("\"event\":\"listening\""), WAIT);
            ExecResult classic = site.host().exec(WAIT, "timeout", "30", "stun", NatLab.INTERNET_PRIMARY + ":3500");
            System.out.println("nat stun: " + stun + "\nnat classify: " + classify + "\nstun-client: " + classic.stdout());

            assertThat(stun).startsWith("{\"external\":\"" + publicIp + ":");
            assertThat(classify).contains("\"external\":\"" + publicIp + ":")
                    .contains("\"mapping\":\"endpoint-independent\"")
                    .contains("\"filtering\":\"address-and-port-dependent\"")
                    .contains("\"hairpinning\":false");
            assertThat(classic.stdout()).contains("Independent Mapping, Port Dependent Filter");
            server.close();
        }
    }
}
