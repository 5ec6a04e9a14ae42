package io.crust.demo.perf;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code crust-demo perf}: an iperf-like throughput test between two hosts over crust-udt or TCP.
 * Run {@code perf server} on one host and {@code perf client} on the other; both print one line per
 * session with the bytes moved, the time, the rate and the SHA-256 of the bytes, so the two ends can
 * be compared.
 *
 * <p>Options follow iperf3 where it has one for the same thing: {@code -p} port (default
 * {@value #DEFAULT_PORT}), {@code -c} the server, {@code -n} bytes, {@code -t} seconds, {@code -i}
 * interval reports, {@code -J} JSON, {@code -B} bind address.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Measure crust-udt or TCP throughput between two hosts (iperf-like).",
        subcommands = {PerfServerCommand.class, PerfClientCommand.class})
public final class PerfCommand implements Callable<Integer> {
    /**
     * The port both ends use when none is given. Not iperf3's 5201, so that both tools can run side by
     * side (crust-bench compares them); next to the demo peer's customary 5483.
     */
    public static final int DEFAULT_PORT = 5484;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
