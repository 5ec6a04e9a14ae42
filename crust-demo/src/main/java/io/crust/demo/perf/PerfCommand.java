package io.crust.demo.perf;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code crust-demo perf}: Measure crust-udt or TCP throughput between two hosts (iperf-like). */
@Command(name = "perf", mixinStandardHelpOptions = true, description = "Measure crust-udt or TCP throughput between two hosts (iperf-like).")
public final class PerfCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("crust-demo perf: not available yet in this build.");
        return 1;
    }
}
