package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.ImportCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Issue 12's rule: no two of the module's files import each other, directly or around a circle. */
class NoImportCircleTest {
    @Test
    void noFilesOfTheMainSourcesImportEachOtherInACircle() {
        assertThat(ImportCycles.in(Path.of("src/main/java"))).isEmpty();
    }
}
