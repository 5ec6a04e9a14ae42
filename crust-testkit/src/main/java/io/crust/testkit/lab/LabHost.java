package io.crust.testkit.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One network namespace of a lab: a host, a router or the "internet". Commands and JVMs started
 * here see only this namespace's interfaces; the lab kills them when it closes.
 */
public final class LabHost {

    private static final AtomicInteger processCounter = new AtomicInteger();

    private final NatLab lab;
    private final String namespace;
    private final InetAddress address;
    private volatile InetAddress ipv6Address;

    LabHost(NatLab lab, String namespace, InetAddress address) {
        this.lab = lab;
        this.namespace = namespace;
        this.address = address;
    }

    /** The namespace name, as {@code ip netns list} shows it (for {@code ip netns exec} by hand). */
    public String namespace() {
        return namespace;
    }

    /** This host's own address: its LAN address behind a NAT, its internet address otherwise. */
    public InetAddress address() {
        return address;
    }

    /**
     * This host's IPv6 address, if its site is {@linkplain NatLab#dualStack dual-stack}: global, or
     * unique-local behind {@linkplain NatLab#dualStackBehindNat66 NAT66}; a router's is its address on
     * the internet.
     */
    public java.util.Optional<InetAddress> ipv6Address() {
        return java.util.Optional.ofNullable(ipv6Address);
    }

    void ipv6Address(InetAddress address) {
        this.ipv6Address = address;
    }

    /** Runs a command here and returns its result (non-zero exit codes included); fails on timeout. */
    public ExecResult exec(Duration timeout, String... command) throws LabException {
        LabTools.requireProgramOf(List.of(command));
        return Commands.run(timeout, null, Commands.inNamespace(namespace, List.of(command)));
    }

    /** Runs a command here with {@code stdin} as its input (for example {@code nft -f -}). */
    public ExecResult execWithInput(Duration timeout, String stdin, String... command) throws LabException {
        LabTools.requireProgramOf(List.of(command));
        return Commands.run(timeout, stdin, Commands.inNamespace(namespace, List.of(command)));
    }

    /** Starts a long-running command here; stdout is captured, stderr goes to a log file. */
    public LabProcess start(String... command) throws LabException {
        return start(List.of(command));
    }

    /** As {@link #start(String...)}. */
    public LabProcess start(List<String> command) throws LabException {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        LabTools.requireProgramOf(command);
        String program = Path.of(command.get(0)).getFileName().toString();
        String name = namespace + "-" + program + "-" + processCounter.incrementAndGet();
        Path stderrLog = lab.logDirectory().resolve(name + ".stderr.log");
        ProcessBuilder builder = new ProcessBuilder(Commands.inNamespace(namespace, command))
                .redirectError(stderrLog.toFile());
        builder.environment().put("CRUST_LAB_NAMESPACE", namespace);
        try {
            return lab.register(new LabProcess(name, builder.start(), stderrLog));
        } catch (IOException e) {
            throw new LabException("cannot start " + command + " in " + namespace + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts {@code main} in a new JVM here, with the same {@code java} binary and class path as
     * the calling JVM (so test classes and every module on the test class path are there).
     */
    public LabProcess startJava(Class<?> main, String... args) throws LabException {
        return startJava(List.of(), main, args);
    }

    /** Starts {@code java -jar jar args...} here (for example the demo's fat jar), with the calling JVM's {@code java}. */
    public LabProcess startJar(Path jar, String... args) throws LabException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Dcrust.lab.namespace=" + namespace, "-jar", jar.toString()));
        command.addAll(Arrays.asList(args));
        return start(command);
    }

    /** As {@link #startJava(Class, String...)} with extra JVM options such as {@code -Xmx256m}. */
    public LabProcess startJava(List<String> jvmOptions, Class<?> main, String... args) throws LabException {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmOptions);
        command.add("-Dcrust.lab.namespace=" + namespace);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(Arrays.asList(args));
        return start(command);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    NatLab lab() {
        return lab;
    }

    @Override
    public String toString() {
        return namespace + "(" + address.getHostAddress() + ")";
    }
}
