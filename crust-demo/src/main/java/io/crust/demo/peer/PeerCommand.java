package io.crust.demo.peer;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code crust-demo peer}: Run a Crust peer: an interactive shell, or a JSON line protocol with --json. */
@Command(name = "peer", mixinStandardHelpOptions = true, description = "Run a Crust peer: an interactive shell, or a JSON line protocol with --json.")
public final class PeerCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("crust-demo peer: not available yet in this build.");
        return 1;
    }
}
