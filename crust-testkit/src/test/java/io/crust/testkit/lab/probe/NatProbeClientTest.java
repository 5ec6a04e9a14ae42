package io.crust.testkit.lab.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class NatProbeClientTest {

    @Test
    void sameMappingTowardsEveryServerIsEndpointIndependent() {
        assertThat(NatProbeClient.mapping(List.of("1.2.3.4:5", "1.2.3.4:5", "1.2.3.4:5"))).isEqualTo("endpoint-independent");
    }

    @Test
    void mappingThatChangesOnlyWithTheAddressIsAddressDependent() {
        assertThat(NatProbeClient.mapping(List.of("1.2.3.4:5", "1.2.3.4:5", "1.2.3.4:6"))).isEqualTo("address-dependent");
    }

    @Test
    void mappingThatChangesWithThePortIsAddressAndPortDependent() {
        assertThat(NatProbeClient.mapping(List.of("1.2.3.4:5", "1.2.3.4:6", "1.2.3.4:7"))).isEqualTo("address-and-port-dependent");
    }

    @Test
    void missingReplyMakesMappingUnknown() {
        assertThat(NatProbeClient.mapping(List.of("1.2.3.4:5", "none", "1.2.3.4:5"))).isEqualTo("unknown");
    }

    @Test
    void filteringFollowsTheMostDistantAnswerThatGotThrough() {
        assertThat(NatProbeClient.filtering(Set.of("same", "other-port", "other-address"))).isEqualTo("endpoint-independent");
        assertThat(NatProbeClient.filtering(Set.of("same", "other-port"))).isEqualTo("address-dependent");
        assertThat(NatProbeClient.filtering(Set.of("same"))).isEqualTo("address-and-port-dependent");
        assertThat(NatProbeClient.filtering(Set.of("other-address"))).isEqualTo("unknown");
    }
}
