package io.crust.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.testkit.FuzzCorpus;
import io.crust.testkit.NoNameLookups;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What peers send each other (peer records, gossip, the wire protocol, connection info) and the
 * address texts of records and ban rules never make this node ask a name server. The test JVM's
 * resolver is {@link NoNameLookups}, installed by {@code META-INF/services} in the test resources.
 */
class NoNameLookupTest {
    private static final List<String> NAMES_THAT_LOOK_LIKE_HEX = List.of("cafe", "dead.beef", "bad.c0de.f00d", "abc");

    @Test
    void recordAddressesNamingAHostAreRefusedWithoutALookup() throws Exception {
        List<String> seen = NoNameLookups.during(() -> {
            for (String name : NAMES_THAT_LOOK_LIKE_HEX) {
                assertThatThrownBy(() -> PeerRecord.Address.parse("udt/host/" + name + ":5483"))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> PeerRecord.Address.parseSocketAddress(name + ":5483"))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            assertThat(PeerRecord.Address.parseSocketAddress("[2001:db8::1]:5483").getPort()).isEqualTo(5483);
        });
        assertThat(seen).isEmpty();
    }

    @Test
    void banRulesNamingAHostAreRefusedWithoutALookup() throws Exception {
        List<String> seen = NoNameLookups.during(() -> {
            for (String name : NAMES_THAT_LOOK_LIKE_HEX) {
                assertThatThrownBy(() -> BanRule.cidr(name + "/24")).isInstanceOf(IllegalArgumentException.class);
            }
            assertThat(BanRule.cidr("10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
        });
        assertThat(seen).isEmpty();
    }

    @Test
    void theSavedFuzzInputsOfEveryPeerInputDecoderCauseNoLookup() throws Exception {
        int[] replayed = new int[1];
        List<String> seen = NoNameLookups.during(() -> {
            replayed[0] += FuzzCorpus.replay(Class.forName("io.crust.core.fuzz.RecordFuzzTest"));
            replayed[0] += FuzzCorpus.replay(Class.forName("io.crust.core.fuzz.HandshakeFuzzTest"));
        });
        assertThat(replayed[0]).isPositive();
        assertThat(seen).isEmpty();
    }
}
