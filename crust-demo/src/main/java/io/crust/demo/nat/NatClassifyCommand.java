package io.crust.demo.nat;

import io.crust.demo.Json;
import io.crust.nat.DatagramChannelPort;
import io.crust.nat.DatagramPort;
import io.crust.nat.NatBehaviour;
import io.crust.nat.NatClassifier;
import io.crust.nat.NatException;
import io.crust.nat.StunClient;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crust-demo nat classify}: RFC 5780 behaviour discovery against a server with two
 * addresses (stund, coturn, or {@code nat stun-server --alternate-ip}).
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classify this host's NAT: mapping, filtering, hairpinning.")
public final class NatClassifyCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--server", required = true, description = "RFC 5780 STUN server as HOST:PORT")
    String server;

    @Option(names = "--local-port", defaultValue = "0", description = "local UDP port (default: any)")
    int localPort;

    @Option(names = "--timeout", defaultValue = "3", description = "seconds each test waits (default: ${DEFAULT-VALUE})")
    double timeoutSeconds;

    @Option(names = "--lifetime-probe", defaultValue = "0",
            description = "probe the binding lifetime up to this many seconds (0: skip; needs RESPONSE-PORT)")
    double lifetimeSeconds;

    @Option(names = "--json", description = "print one JSON object per line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress target = StunAddressOption.parse(spec.commandLine(), server);
        NatClassifier.Options options = new NatClassifier.Options(seconds(timeoutSeconds),
                StunClient.DEFAULT_INITIAL_RTO, seconds(lifetimeSeconds));
        try (DatagramChannelPort port = DatagramPort.open(new InetSocketAddress(localPort))) {
            NatBehaviour b = NatClassifier.classify(port, target, options);
            String hairpin = switch (b.hairpinning()) {
                case SUPPORTED -> "true";
                case NOT_SUPPORTED -> "false";
                case UNKNOWN -> "unknown";
            };
            if (json) {
                Json line = Json.object()
                        .put("external", StunAddressOption.text(b.external()))
                        .put("mapping", b.mapping().label())
                        .put("filtering", b.filtering().label())
                        .put("hairpinning", b.hairpinning() == NatBehaviour.Hairpinning.UNKNOWN ? null
                                : b.hairpinning() == NatBehaviour.Hairpinning.SUPPORTED)
                        .put("behindNat", b.behindNat())
                        .put("nat", b.classicName());
                if (b.bindingLifetime() != null) {
                    line.put("bindingLifetimeAtLeastSeconds", b.bindingLifetime().toMillis() / 1000.0);
                }
                out.println(line);
            } else {
                out.println("external     " + StunAddressOption.text(b.external()) + (b.behindNat() ? "" : " (no NAT)"));
                out.println("mapping      " + b.mapping().label());
                out.println("filtering    " + b.filtering().label());
                out.println("hairpinning  " + hairpin);
                out.println("nat          " + b.classicName());
                if (b.bindingLifetime() != null) {
                    out.println("lifetime     at least " + b.bindingLifetime().toMillis() / 1000.0 + " s");
                }
            }
            out.flush();
            return 0;
        } catch (NatException e) {
            return NatStunServerCommand.fail(spec, json, e);
        }
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }
}
