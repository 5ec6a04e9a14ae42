package io.crust.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UdtEchoTest {
    @Test
    void theMessageComesBackOverCrustUdt() throws Exception {
        String printed = Output.ofMain(() -> UdtEcho.main(new String[0]));

        assertThat(printed.lines().toList()).first().isEqualTo("echoed: ping over crust-udt");
        assertThat(printed.lines().toList()).element(1).asString().matches("round trip: [0-9]+ µs");
    }
}
