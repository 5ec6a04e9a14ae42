package io.crust.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The repository's files as the docs tests read them: README, docs pages and the examples' sources. */
final class Sources {
    private Sources() {
    }

    static Path repository() {
        String root = System.getProperty("crust.repo.root");
        return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
    }

    static String example(Class<?> type) throws IOException {
        return Files.readString(repository().resolve("crust-examples/src/main/java/"
                + type.getName().replace('.', '/') + ".java"));
    }

    /** The bodies of the fenced {@code java} code blocks of a Markdown file, in order. */
    static List<String> javaBlocks(String markdownFile) throws IOException {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : Files.readAllLines(repository().resolve(markdownFile))) {
            if (block == null && line.equals("```java")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }
}
