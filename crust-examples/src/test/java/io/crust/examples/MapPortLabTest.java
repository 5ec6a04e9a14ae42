package io.crust.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.NatKind;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.Site;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The port mapping recipe against a real router: miniupnpd (PCP, NAT-PMP, UPnP IGD) on a lab router.
 * Skipped without root, ip or nft (fails instead with CI=true), as {@link NatLab#start} decides.
 */
@Timeout(180)
class MapPortLabTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void theRouterForwardsThePortUntilEnterIsPressed() throws Exception {
        try (NatLab lab = NatLab.start("examples")) {
            Site site = lab.site(NatKind.UPNP);
            LabProcess program = site.host().startJava(MapPort.class, "40200");

            String mapped = program.awaitLine(l -> l.startsWith("mapped ") || l.contains("Exception"), WAIT);
            assertThat(mapped).as(program.lines().toString())
                    .startsWith("mapped /" + site.publicAddress().getHostAddress() + ":40200 -> local port 40200 by ");
            program.writeLine("");
            program.awaitLine(l -> l.equals("mapping deleted"), WAIT);
            assertThat(program.waitFor(WAIT)).isZero();
        }
    }
}
