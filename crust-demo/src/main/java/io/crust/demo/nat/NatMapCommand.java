package io.crust.demo.nat;

import io.crust.nat.IpProtocol;
import io.crust.nat.PortMappers;
import io.crust.demo.Json;
import io.crust.nat.IpLiteral;
import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMapping;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code crust-demo nat map}: maps a port on the gateway (or, with {@code --ipv6}, opens a pinhole for it in
 * the gateway's IPv6 firewall), prints where it is reachable, keeps the mapping alive until SIGINT/SIGTERM,
 * then deletes it before exiting.
 *
 * <p>Flow: the main thread maps, prints, and waits on {@link #stop}. The shutdown hook (run by the JVM on
 * SIGINT/SIGTERM) releases {@code stop} and then waits until the main thread has deleted the mapping, so
 * the JVM does not exit before the gateway forgot the port.
 */
@Command(name = "map", mixinStandardHelpOptions = true,
        description = "Map a port on the gateway (UPnP, NAT-PMP, PCP), or open an IPv6 pinhole, and keep it until interrupted.")
public final class NatMapCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--protocol", defaultValue = "auto", description = "upnp, natpmp, pcp or auto (default: ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = "--port", required = true, description = "the local port to map (also the external port asked for)")
    int port;

    @Option(names = "--transport", defaultValue = "udp", description = "udp or tcp (default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--lease", defaultValue = "3600", description = "lease to ask for, in seconds (default: ${DEFAULT-VALUE})")
    long leaseSeconds;

    @Option(names = "--gateway", description = "NAT-PMP/PCP gateway address (default: the default route)")
    String gateway;

    @Option(names = "--gateway-port", hidden = true, defaultValue = "5351")
    int gatewayPort;

    @Option(names = "--ipv6", description = "open an IPv6 pinhole in the gateway's firewall (PCP or UPnP) instead of an IPv4 mapping")
    boolean ipv6;

    @Option(names = "--json", description = "print one JSON object per line")
    boolean json;

    /** Released by the shutdown hook (or a test) to end the command. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        IpProtocol t;
        MappingProtocol wanted;
        try {
            t = IpProtocol.valueOf(transport.toUpperCase(Locale.ROOT));
            wanted = "auto".equalsIgnoreCase(protocol) ? null : MappingProtocol.fromLabel(protocol);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--transport must be udp or tcp, --protocol upnp, natpmp, pcp or auto");
        }
        if (port < 1 || port > 65535 || leaseSeconds < 1 || gatewayPort < 1 || gatewayPort > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--port must be 1..65535 and --lease at least 1 second");
        }
        PortMapperOptions options = PortMapperOptions.defaults().withGatewayPort(gatewayPort);
        if (gateway != null) {
            options = options.withGateway(parseAddress(gateway));
        }
        try (PortMapper mapper = wanted == null ? PortMappers.auto(options) : PortMappers.of(wanted, options)) {
            PortMapping mapping;
            try {
                mapping = ipv6 ? mapper.openPinhole(t, port, Duration.ofSeconds(leaseSeconds))
                        : mapper.map(t, port, port, Duration.ofSeconds(leaseSeconds));
            } catch (NatException e) {
                report(out, Json.object().put("event", "error").put("message", e.getMessage()),
                        "port mapping failed: " + e.getMessage());
                return 1;
            }
            CountDownLatch deleted = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.countDown();
                try {
                    deleted.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "crust-demo-nat-map-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                report(out, Json.object().put("event", "mapped")
                        .put("external", where(mapping.external()))
                        .put("protocol", mapping.protocol().label())
                        .put("transport", t.label())
                        .put("internalPort", port)
                        .put("lifetimeSeconds", mapping.lifetime().toSeconds())
                        .put("doubleNat", mapping.doubleNat()),
                        (ipv6 ? "pinhole " : "mapped ") + t.label() + " " + where(mapping.external()) + " -> local port " + port + " via "
                                + mapping.protocol().label() + " (lease " + mapping.lifetime().toSeconds()
                                + " s, renewed until Ctrl-C)");
                stop.await();
            } finally {
                String where = where(mapping.external());
                mapping.close();
                report(out, Json.object().put("event", "unmapped").put("external", where)
                        .put("protocol", mapping.protocol().label()), "deleted mapping " + where);
                deleted.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is what woke us up
                }
            }
        }
        return 0;
    }

    /** {@code 203.0.113.11:4000} or {@code [2001:db8:1::2]:4000}: IPv6 in its short form (RFC 5952). */
    private static String where(InetSocketAddress address) {
        String ip = IpLiteral.canonical(address.getAddress());
        return (address.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    private void report(PrintWriter out, Json line, String text) {
        out.println(json ? line.toString() : text);
        out.flush();
    }

    private InetAddress parseAddress(String text) {
        try {
            return IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gateway must be an IP address: " + e.getMessage());
        }
    }
}
