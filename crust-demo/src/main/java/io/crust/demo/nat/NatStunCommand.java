package io.crust.demo.nat;

import io.crust.demo.Json;
import io.crust.nat.DatagramChannelPort;
import io.crust.nat.DatagramPort;
import io.crust.nat.NatException;
import io.crust.nat.StunClient;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crust-demo nat stun}: asks a STUN server which address it sees us at (RFC 8489 Binding). */
@Command(name = "stun", mixinStandardHelpOptions = true,
        description = "Learn this host's reflexive (external) address from a STUN server.")
public final class NatStunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--server", required = true, description = "STUN server as HOST:PORT, e.g. 203.0.113.1:3478")
    String server;

    @Option(names = "--local-port", defaultValue = "0", description = "local UDP port (default: any)")
    int localPort;

    @Option(names = "--timeout", defaultValue = "5", description = "seconds to wait for an answer (default: ${DEFAULT-VALUE})")
    double timeoutSeconds;

    @Option(names = "--json", description = "print one JSON object per line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress target = StunAddressOption.parse(spec.commandLine(), server);
        try (DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(localPort))) {
            StunClient.Binding b = new StunClient(port)
                    .binding(target, Duration.ofMillis((long) (timeoutSeconds * 1000)));
            String external = StunAddressOption.text(b.mapped());
            out.println(json
                    ? Json.object().put("external", external).put("localPort", port.localAddress().getPort())
                            .put("server", StunAddressOption.text(target))
                            .put("rttMillis", b.roundTrip().toNanos() / 1e6).toString()
                    : "external " + external + " (local port " + port.localAddress().getPort() + ", server "
                            + StunAddressOption.text(target) + ")");
            out.flush();
            return 0;
        } catch (NatException e) {
            return NatStunServerCommand.fail(spec, json, e);
        }
    }
}
