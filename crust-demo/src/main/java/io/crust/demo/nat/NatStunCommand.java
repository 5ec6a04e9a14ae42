package io.crust.demo.nat;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code crust-demo stun}: Learn this host's reflexive (external) address from a STUN server. */
@Command(name = "stun", mixinStandardHelpOptions = true, description = "Learn this host's reflexive (external) address from a STUN server.")
public final class NatStunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("crust-demo stun: not available yet in this build.");
        return 1;
    }
}
