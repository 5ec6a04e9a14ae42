package io.crust.testkit.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers which process owns each running lab, so a lab whose JVM was killed outright (no
 * shutdown hook ran: SIGKILL, a surefire fork timeout) is removed by the next lab that starts.
 * One file per lab in {@code /run/crust-lab} (or the temp folder), named after the lab prefix,
 * holding the owner's pid and start time; a lab is stale when that process no longer exists.
 */
final class StaleLabs {

    private static final Logger LOG = LoggerFactory.getLogger(StaleLabs.class);

    private StaleLabs() {
    }

    static Path registry() {
        Path run = Path.of("/run");
        Path base = Files.isWritable(run) ? run : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("crust-lab");
    }

    /** Records that the current process owns the lab with {@code prefix}. */
    static void register(String prefix) throws LabException {
        ProcessHandle self = ProcessHandle.current();
        try {
            Files.createDirectories(registry());
            Files.writeString(registry().resolve(prefix), self.pid() + " " + startMillis(self), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LabException("cannot write the lab owner file in " + registry(), e);
        }
    }

    static void unregister(String prefix) {
        try {
            Files.deleteIfExists(registry().resolve(prefix));
        } catch (IOException e) {
            LOG.warn("cannot delete lab owner file for {}", prefix, e);
        }
    }

    /** Deletes the namespaces (and kills the processes in them) of every lab whose owner is gone. */
    static void removeAbandoned() {
        Path registry = registry();
        if (!Files.isDirectory(registry)) {
            return;
        }
        try (DirectoryStream<Path> owners = Files.newDirectoryStream(registry)) {
            for (Path owner : owners) {
                if (!ownerAlive(owner)) {
                    remove(owner.getFileName().toString());
                    Files.deleteIfExists(owner);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not clean up abandoned labs in {}", registry, e);
        }
    }

    private static boolean ownerAlive(Path owner) throws IOException {
        String[] fields = Files.readString(owner, StandardCharsets.UTF_8).trim().split(" ");
        if (fields.length != 2) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(fields[0]));
        return process.isPresent() && process.get().isAlive() && startMillis(process.get()) == Long.parseLong(fields[1]);
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private static void remove(String prefix) throws LabException {
        List<String> namespaces = Commands.check("ip", "netns", "list").stdout().lines()
                .map(line -> line.split(" ")[0])
                .filter(name -> name.startsWith(prefix + "-"))
                .toList();
        for (String namespace : namespaces) {
            killProcessesIn(namespace);
            Commands.run(Duration.ofSeconds(20), null, List.of("ip", "netns", "delete", namespace));
        }
        if (!namespaces.isEmpty()) {
            LOG.warn("removed abandoned NAT lab {} (its JVM died without closing it): {}", prefix, namespaces);
        }
    }

    /** Kills what still runs in a namespace of ours: daemons and JVMs the lab started there. */
    static void killProcessesIn(String namespace) throws LabException {
        ExecResult pids = Commands.run(Duration.ofSeconds(20), null, List.of("ip", "netns", "pids", namespace));
        for (String pid : pids.stdout().split("\\s+")) {
            if (!pid.isBlank()) {
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
