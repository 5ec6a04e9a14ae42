package io.crust.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCyclesTest {
    @TempDir
    Path root;

    private void write(String pkg, String type, String... imports) throws Exception {
        Path dir = Files.createDirectories(root.resolve(pkg.replace('.', '/')));
        StringBuilder text = new StringBuilder("package " + pkg + ";\n\n");
        for (String i : imports) {
            text.append("import ").append(i).append(";\n");
        }
        text.append("\npublic final class ").append(type).append(" {\n}\n");
        Files.writeString(dir.resolve(type + ".java"), text);
    }

    @Test
    void twoFilesThatImportEachOtherAreOneCircleAndAFileThatOnlyImportsThemIsNotInIt() throws Exception {
        write("a.x", "A", "a.y.B", "java.util.List");
        write("a.y", "B", "a.x.A.Nested");
        write("a.z", "C", "a.x.A", "static a.y.B.helper");

        assertThat(ImportCycles.in(root)).containsExactly(List.of("a.x.A", "a.y.B"));
    }

    @Test
    void importsThatRunOneWayMakeNoCircle() throws Exception {
        write("a.x", "A", "a.y.B");
        write("a.y", "B", "a.z.C");
        write("a.z", "C");

        assertThat(ImportCycles.in(root)).isEmpty();
    }

    @Test
    void aCircleThroughThreePackagesIsFound() throws Exception {
        write("a.x", "A", "a.y.B");
        write("a.y", "B", "a.z.C");
        write("a.z", "C", "a.x.A");

        assertThat(ImportCycles.in(root)).containsExactly(List.of("a.x.A", "a.y.B", "a.z.C"));
    }
}
