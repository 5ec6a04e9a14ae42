package io.crust.demo.nat;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code crust-demo classify}: Classify this host's NAT: mapping, filtering, hairpinning. */
@Command(name = "classify", mixinStandardHelpOptions = true, description = "Classify this host's NAT: mapping, filtering, hairpinning.")
public final class NatClassifyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("crust-demo classify: not available yet in this build.");
        return 1;
    }
}
