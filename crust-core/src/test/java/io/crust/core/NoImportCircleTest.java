package io.crust.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.ImportCycles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12's rule: no two of the module's files import each other, directly or around a circle. */
class NoImportCircleTest {
    /**
     * The one known circle: the public text form ({@code ConnectionInfo.toText}, {@code parse}) is the
     * binary wire form in base64, and that codec lives in the wire package. Listed so that a new circle
     * fails this test, and so does this one's end (then remove it here).
     */
    private static final List<String> KNOWN = List.of("io.crust.core.ConnectionInfo", "io.crust.core.wire.ConnectionInfoCodec");

    @Test
    void noFilesOfTheMainSourcesImportEachOtherInACircleButTheKnownOne() {
        assertThat(ImportCycles.in(Path.of("src/main/java"))).containsExactly(KNOWN);
    }
}
