package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.testkit.FuzzCorpus;
import io.crust.testkit.NoNameLookups;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Peer input never makes this node ask a name server. The test JVM's resolver is
 * {@link NoNameLookups} (installed by {@code META-INF/services} in the test resources), which
 * records and refuses every lookup made while a check runs.
 */
class NoNameLookupTest {
    /** Hex letters only: InetAddress.getByName would send these to DNS. */
    private static final List<String> NAMES_THAT_LOOK_LIKE_HEX = List.of("cafe", "dead.beef", "bad.c0de.f00d", "abc", "f");

    @Test
    void theGuardSeesALookupOfAHexLookingName() throws Exception {
        List<String> seen = NoNameLookups.during(() -> {
            try {
                InetAddress.getByName("dead.beef");
            } catch (java.net.UnknownHostException expected) {
                // refused by the guard
            }
        });
        assertThat(seen).containsExactly("dead.beef");
    }

    @Test
    void punchOfferCandidatesNamingAHostAreRefusedWithoutALookup() throws Exception {
        List<String> seen = NoNameLookups.during(() -> {
            for (String name : NAMES_THAT_LOOK_LIKE_HEX) {
                String line = "crust-punch/1 ufrag passwordpasswordpassword 0123456789abcdef ei H," + name + ",5000,100";
                assertThatThrownBy(() -> PunchOffer.decode(line)).isInstanceOf(NatException.class);
            }
        });
        assertThat(seen).isEmpty();
    }

    @Test
    void punchOfferCandidatesWithLiteralsStillDecode() throws Exception {
        List<String> seen = NoNameLookups.during(() -> {
            PunchOffer offer = PunchOffer.decode("crust-punch/1 ufrag passwordpasswordpassword 0123456789abcdef ei"
                    + " H,192.0.2.1,5000,100 S,2001:db8::cafe,6000,90");
            assertThat(offer.candidates()).extracting(c -> c.address().getAddress().getHostAddress())
                    .containsExactly("192.0.2.1", "2001:db8:0:0:0:0:0:cafe");
        });
        assertThat(seen).isEmpty();
    }

    @Test
    void hostPortLiteralRefusesNamesWithoutALookup() throws Exception {
        List<String> seen = NoNameLookups.during(() -> {
            for (String name : NAMES_THAT_LOOK_LIKE_HEX) {
                assertThatThrownBy(() -> HostPort.literal(name + ":5483")).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("is a name");
                assertThatThrownBy(() -> IpLiteral.parse(name)).isInstanceOf(IllegalArgumentException.class);
            }
            assertThat(HostPort.literal("[2001:db8::1]:5483").getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        });
        assertThat(seen).isEmpty();
    }

    @Test
    void theSavedFuzzInputsOfEveryGatewayAndStunParserCauseNoLookup() throws Exception {
        int[] replayed = new int[1];
        List<String> seen = NoNameLookups.during(() -> {
            replayed[0] += FuzzCorpus.replay(Class.forName("io.crust.nat.fuzz.GatewayReplyFuzzTest"));
            replayed[0] += FuzzCorpus.replay(Class.forName("io.crust.nat.fuzz.StunFuzzTest"));
            replayed[0] += FuzzCorpus.replay(Class.forName("io.crust.nat.fuzz.UpnpReplyFuzzTest"));
        });
        assertThat(replayed[0]).isPositive();
        assertThat(seen).isEmpty();
    }
}
