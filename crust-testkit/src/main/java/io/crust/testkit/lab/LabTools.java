package io.crust.testkit.lab;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Assumptions;

/**
 * The programs the NAT lab and the lab tests run, and what happens when one is missing: locally the
 * test is skipped (a JUnit assumption) with the program's name and its Debian package; with
 * environment {@code CI=true} it fails, because CI installs them all. Never an error half-way
 * through a test. {@link LabHost#exec} and {@link LabHost#start} check the program they run; code
 * that runs a program inside a shell script checks it with {@link #require}.
 */
public final class LabTools {

    /** The Debian package of each program the lab runs (README, "Requirements"; {@code .ci/run} installs them). */
    static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("ip", "iproute2"),
            Map.entry("ss", "iproute2"),
            Map.entry("tc", "iproute2"),
            Map.entry("nft", "nftables"),
            Map.entry("sysctl", "procps"),
            Map.entry("conntrack", "conntrack"),
            Map.entry("ethtool", "ethtool"),
            Map.entry("python3", "python3"),
            Map.entry("miniupnpd", "miniupnpd and miniupnpd-nftables"),
            Map.entry("stund", "stun-server"),
            Map.entry("turnserver", "coturn"),
            Map.entry("turnutils_stunclient", "coturn"),
            Map.entry("stun", "stun-client"),
            Map.entry("timeout", "coreutils"),
            Map.entry("kill", "procps"));

    /** Shells whose scripts use only built-ins and programs checked on their own. */
    private static final Set<String> SHELLS = Set.of("sh", "bash");

    private static final Map<String, Boolean> FOUND = new ConcurrentHashMap<>();

    private LabTools() {
    }

    /**
     * Skips the calling test (fails it under {@code CI=true}) unless every program is on the
     * {@code PATH} (or in /usr/sbin, /sbin, /usr/bin, /bin, where root's tools live).
     */
    public static void require(String... programs) throws LabException {
        require(List.of(programs), inCi());
    }

    /** As {@link #require(String...)}, with CI given (for tests of this class). */
    static void require(List<String> programs, boolean ci) throws LabException {
        List<String> missing = missing(programs);
        if (!missing.isEmpty()) {
            unavailable("missing " + describe(missing), ci);
        }
    }

    /** The programs of {@code programs} that cannot be found. */
    static List<String> missing(List<String> programs) {
        List<String> missing = new ArrayList<>();
        for (String program : new LinkedHashSet<>(programs)) {
            if (!FOUND.computeIfAbsent(program, LabTools::onPath)) {
                missing.add(program);
            }
        }
        return missing;
    }

    /** "turnserver (Debian package coturn), ..." */
    static String describe(List<String> programs) {
        return String.join(", ", programs.stream()
                .map(p -> p + (PACKAGES.containsKey(p) ? " (Debian package " + PACKAGES.get(p) + ")" : ""))
                .toList());
    }

    /** Checks the program a lab command runs: its first word, or the one after {@code timeout N}. */
    static void requireProgramOf(List<String> command) throws LabException {
        int i = 0;
        if (command.size() > 2 && command.get(0).equals("timeout")) {
            require("timeout");
            i = 2;
        }
        String program = command.get(i);
        if (!SHELLS.contains(program)) {
            require(program);
        }
    }

    /**
     * The lab cannot run: under {@code CI=true} a {@link LabException} (the test fails), otherwise a
     * JUnit assumption that skips the test with {@code reason}.
     */
    static void unavailable(String reason) throws LabException {
        unavailable(reason, inCi());
    }

    private static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static void unavailable(String reason, boolean ci) throws LabException {
        if (ci) {
            throw new LabException("NAT lab required in CI but unavailable: " + reason);
        }
        Assumptions.abort("NAT lab unavailable, test skipped: " + reason);
    }

    private static boolean onPath(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program));
        }
        Set<String> dirs = new LinkedHashSet<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream().filter(d -> !d.isEmpty()).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }
}
