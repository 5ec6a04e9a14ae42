package io.crust.demo.nat;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code crust-demo map}: Map a port on the gateway (UPnP, NAT-PMP, PCP) and keep it until interrupted. */
@Command(name = "map", mixinStandardHelpOptions = true, description = "Map a port on the gateway (UPnP, NAT-PMP, PCP) and keep it until interrupted.")
public final class NatMapCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("crust-demo map: not available yet in this build.");
        return 1;
    }
}
