package io.crust.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The programs in the README and the guide are the example sources, character for character. */
class DocsShowTheExamplesTest {
    @Test
    void theReadmeShowsTheHelloCrustProgramAsItIs() throws Exception {
        assertThat(Sources.javaBlocks("README.md")).contains(Sources.example(HelloCrust.class));
    }

    @Test
    void theGuideShowsEveryExampleAsItIs() throws Exception {
        for (Class<?> example : new Class<?>[] {HelloCrust.class, Chat.class, FileTransfer.class, UdtEcho.class,
                StunAndClassify.class, MapPort.class}) {
            assertThat(Sources.javaBlocks("docs/guide.md")).as(example.getSimpleName())
                    .contains(Sources.example(example));
        }
    }
}
