package io.crust.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code crust-demo.jar}. Each module adds its tool as a subcommand:
 * {@code perf} (crust-udt), {@code nat} (crust-nat) and {@code peer} (crust-core).
 */
@Command(name = "crust-demo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Crust demo peer and tools.",
        subcommands = {CommandLine.HelpCommand.class, io.crust.demo.perf.PerfCommand.class,
                io.crust.demo.nat.NatCommand.class, io.crust.demo.peer.PeerCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"crust-demo " + (v == null ? "development build" : v)
                    + " (Java " + Runtime.version() + ")"};
        }
    }
}
