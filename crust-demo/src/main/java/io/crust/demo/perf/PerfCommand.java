package io.crust.demo.perf;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code crust-demo perf}: an iperf-like throughput test between two hosts over crust-udt or TCP.
 * Run {@code perf server} on one host and {@code perf client} on the other; both print one line per
 * session with the bytes moved, the time, the rate and the SHA-256 of the bytes, so the two ends can
 * be compared.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Measure crust-udt or TCP throughput between two hosts (iperf-like).",
        subcommands = {PerfServerCommand.class, PerfClientCommand.class})
public final class PerfCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
