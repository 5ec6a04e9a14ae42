package io.crust.demo.nat;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code crust-demo nat}: the crust-nat tools, one subcommand each. */
@Command(name = "nat", mixinStandardHelpOptions = true,
        description = "NAT traversal tools: STUN, classification, port mapping.",
        subcommands = {NatStunCommand.class, NatClassifyCommand.class, NatStunServerCommand.class,
                NatMapCommand.class})
public final class NatCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
