package io.crust.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds circles of {@code import} lines among a module's own source files: file A imports B, which
 * (directly or through others) imports A. Only explicit imports of the module's own top-level types
 * count (a nested type's import counts for its file); a same-package reference needs no import line
 * and is not seen. Reads the files under {@code sourceRoot} only.
 */
public final class ImportCycles {
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?!static)([\\w.]+)\\s*;", Pattern.MULTILINE);

    private ImportCycles() {
    }

    /**
     * The circles among the {@code .java} files under {@code sourceRoot}, each as the sorted fully
     * qualified names of its types; empty if there is none.
     */
    public static List<List<String>> in(Path sourceRoot) {
        Map<String, Path> types = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = file.getFileName().toString().replace(".java", "");
                if (name.equals("module-info") || name.equals("package-info")) {
                    continue;
                }
                Matcher pkg = PACKAGE.matcher(read(file));
                types.put((pkg.find() ? pkg.group(1) + "." : "") + name, file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Set<String>> edges = new HashMap<>();
        for (Map.Entry<String, Path> type : types.entrySet()) {
            Set<String> targets = new LinkedHashSet<>();
            Matcher imports = IMPORT.matcher(read(type.getValue()));
            while (imports.find()) {
                String target = topLevel(imports.group(1), types);
                if (target != null && !target.equals(type.getKey())) {
                    targets.add(target);
                }
            }
            edges.put(type.getKey(), targets);
        }
        return stronglyConnected(types.keySet(), edges);
    }

    /** The imported name, or its enclosing names, that is one of the module's files. */
    private static String topLevel(String imported, Map<String, Path> types) {
        String name = imported;
        while (name.contains(".")) {
            if (types.containsKey(name)) {
                return name;
            }
            name = name.substring(0, name.lastIndexOf('.'));
        }
        return null;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file being visited, with the imports of it not yet followed. */
    private record Visit(String file, Iterator<String> next) {
    }

    /** Tarjan's algorithm, iterative; components of two or more files. */
    private static List<List<String>> stronglyConnected(Set<String> nodes, Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<List<String>> circles = new ArrayList<>();
        for (String start : nodes) {
            if (index.containsKey(start)) {
                continue;
            }
            Deque<Visit> visits = new ArrayDeque<>();
            enter(start, index, low, stack, onStack, visits, edges);
            while (!visits.isEmpty()) {
                Visit visit = visits.peek();
                if (visit.next().hasNext()) {
                    String target = visit.next().next();
                    if (!index.containsKey(target)) {
                        enter(target, index, low, stack, onStack, visits, edges);
                    } else if (onStack.contains(target)) {
                        low.merge(visit.file(), index.get(target), Math::min);
                    }
                    continue;
                }
                visits.pop();
                if (!visits.isEmpty()) {
                    low.merge(visits.peek().file(), low.get(visit.file()), Math::min);
                }
                if (low.get(visit.file()).equals(index.get(visit.file()))) {
                    List<String> component = new ArrayList<>();
                    String member;
                    do {
                        member = stack.pop();
                        onStack.remove(member);
                        component.add(member);
                    } while (!member.equals(visit.file()));
                    if (component.size() > 1) {
                        component.sort(null);
                        circles.add(component);
                    }
                }
            }
        }
        return circles;
    }

    private static void enter(String file, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
            Set<String> onStack, Deque<Visit> visits, Map<String, Set<String>> edges) {
        index.put(file, index.size());
        low.put(file, index.get(file));
        stack.push(file);
        onStack.add(file);
        visits.push(new Visit(file, edges.get(file).iterator()));
    }
}
