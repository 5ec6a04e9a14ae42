package io.crust.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.StunServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class StunAndClassifyTest {
    @Test
    void onLoopbackThereIsNoNatAndEveryTestPasses() throws Exception {
        InetAddress primary = InetAddress.getByName("127.0.0.1");
        // An RFC 5780 server with an alternate address, all on loopback (127.0.0.0/8 is all local).
        try (StunServer server = StunServer.start(new InetSocketAddress(primary, 0), InetAddress.getByName("127.0.0.2"), 0)) {
            Output output = new Output();
            StunAndClassify.run(new InetSocketAddress(primary, 0), server.address(), output.stream);

            assertThat(output.text()).contains("the server sees us at /127.0.0.1:")
                    .contains("behind a NAT: false")
                    .contains("mapping: endpoint-independent, filtering: endpoint-independent (open)");
        }
    }
}
