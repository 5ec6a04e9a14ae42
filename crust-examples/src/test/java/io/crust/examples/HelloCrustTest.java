package io.crust.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HelloCrustTest {
    @Test
    void theReadmeProgramConnectsTwoNodesAndEachHearsTheOther() throws Exception {
        String printed = Output.ofMain(() -> HelloCrust.main(new String[0]));

        assertThat(printed.lines()).containsExactly("Alice got: hello, Alice", "Bob got: hello, Bob");
    }
}
