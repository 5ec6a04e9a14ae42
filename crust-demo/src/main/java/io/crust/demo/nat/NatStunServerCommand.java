package io.crust.demo.nat;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code crust-demo stun-server}: Serve STUN Binding requests until stopped. */
@Command(name = "stun-server", mixinStandardHelpOptions = true, description = "Serve STUN Binding requests until stopped.")
public final class NatStunServerCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("crust-demo stun-server: not available yet in this build.");
        return 1;
    }
}
