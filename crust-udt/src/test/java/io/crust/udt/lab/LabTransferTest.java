package io.crust.udt.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.lab.LabHost;
import io.crust.testkit.lab.LabProcess;
import io.crust.testkit.lab.LinkShape;
import io.crust.testkit.lab.NatLab;
import io.crust.testkit.lab.TunLink;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * crust-udt across the lab's emulated link: 50 ms round trip and 1 % loss in each direction, two
 * JVMs in their own namespaces. Skipped without root, ip and nft (fails instead with CI=true).
 */
class LabTransferTest {
    private static final long BYTES = 3_000_000;

    @Test
    void transferOverFiftyMillisecondRoundTripWithOnePercentLossIsByteExact() throws Exception {
        try (NatLab lab = NatLab.start("udt")) {
            LabHost a = lab.publicHost();
            LabHost b = lab.publicHost();
            TunLink link = lab.tunLink(a, b, LinkShape.delay(Duration.ofMillis(25)).withLoss(0.01).withSeed(3));
            LabProcess server = b.startJava(LabPeer.class, "server", "9000");
            server.awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(30));
            LabProcess client = a.startJava(LabPeer.class, "client", link.addressB().getHostAddress(), "9000",
                    String.valueOf(BYTES));
            String sent = client.awaitLine(l -> l.startsWith("SENT"), Duration.ofSeconds(120));
            String received = server.awaitLine(l -> l.startsWith("RECEIVED"), Duration.ofSeconds(30));
            String[] s = sent.split(" ");
            String[] r = received.split(" ");
            assertThat(r[1]).isEqualTo(String.valueOf(BYTES));
            assertThat(r[2]).as("SHA-256 at both ends; client said: %s; link %s", sent, link.stats()).isEqualTo(s[2]);
            System.out.println("lab transfer: " + sent + "; link " + link.stats());
        }
    }
}
