package io.crust.nat.upnp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.nat.NatException;
import io.crust.testkit.NoNameLookups;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a UPnP gateway sends (the LOCATION of its SSDP reply, the answer to GetExternalIPAddress)
 * never makes this node ask a name server; see {@link NoNameLookups}.
 */
class GatewayInputNameLookupTest {

    @Test
    void aDescriptionUrlNamingAHostIsRefusedWithoutALookup() throws Exception {
        List<String> seen = NoNameLookups.during(() -> {
            for (String host : List.of("cafe", "dead.beef", "igd.example.org")) {
                assertThat(HttpStreamClient.refusal(URI.create("http://" + host + ":5000/rootDesc.xml"))).isNotNull();
            }
            assertThat(HttpStreamClient.refusal(URI.create("http://127.0.0.1:5000/rootDesc.xml"))).isNull();
            assertThat(HttpStreamClient.refusal(URI.create("http://[::1]:5000/rootDesc.xml"))).isNull();
        });
        assertThat(seen).isEmpty();
    }

    @Test
    void anExternalAddressThatIsANameIsRefusedWithoutALookup() throws Exception {
        List<String> seen = NoNameLookups.during(() -> {
            for (String answer : List.of("cafe", "dead.beef", "wan.example.org", "2001:db8::1", "")) {
                assertThatThrownBy(() -> UpnpLease.externalAddress(answer)).isInstanceOf(NatException.class);
            }
            assertThat(UpnpLease.externalAddress("203.0.113.2").getHostAddress()).isEqualTo("203.0.113.2");
        });
        assertThat(seen).isEmpty();
    }
}
