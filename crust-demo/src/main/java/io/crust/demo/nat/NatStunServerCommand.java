package io.crust.demo.nat;

import io.crust.demo.Json;
import io.crust.nat.IpLiteral;
import io.crust.nat.StunServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code crust-demo nat stun-server}: serves STUN Binding requests until SIGINT/SIGTERM. With
 * {@code --alternate-ip} it is an RFC 5780 server (four sockets) that {@code nat classify} and
 * classic clients such as {@code stun-client} can use.
 */
@Command(name = "stun-server", mixinStandardHelpOptions = true, description = "Serve STUN Binding requests until stopped.")
public final class NatStunServerCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", defaultValue = "3478", description = "UDP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--alternate-ip", description = "second IP address of this host: enables RFC 5780 CHANGE-REQUEST")
    String alternateIp;

    @Option(names = "--alternate-port", defaultValue = "-1",
            description = "second port (default: port + 1 with --alternate-ip, none without)")
    int alternatePort;

    @Option(names = "--json", description = "print one JSON object per line")
    boolean json;

    /** Released by the shutdown hook (or a test) to stop serving. */
    final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InetAddress bindIp = ip(bind, "--bind");
        InetAddress altIp = alternateIp == null ? null : ip(alternateIp, "--alternate-ip");
        int altPort = alternatePort >= 0 ? alternatePort : altIp != null ? (port == 0 ? 0 : port + 1) : -1;
        try (StunServer server = StunServer.start(new InetSocketAddress(bindIp, port), altIp, altPort)) {
            CountDownLatch closed = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.countDown();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "crust-demo-stun-server-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                Json line = Json.object().put("event", "listening")
                        .put("address", StunAddressOption.text(server.address()))
                        .put("addresses", server.localAddresses().stream().map(StunAddressOption::text).toList());
                server.otherAddress().ifPresent(o -> line.put("otherAddress", StunAddressOption.text(o)));
                out.println(json ? line : "serving STUN on " + server.localAddresses().stream()
                        .map(StunAddressOption::text).toList() + " until Ctrl-C");
                out.flush();
                stop.await();
            } finally {
                long answered = server.responsesSent();
                server.close();
                out.println(json ? Json.object().put("event", "stopped").put("responses", answered)
                        : "stopped after " + answered + " responses");
                out.flush();
                closed.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is what stopped us
                }
            }
        }
        return 0;
    }

    private InetAddress ip(String text, String option) {
        try {
            return IpLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be an IP address: " + e.getMessage());
        }
    }

    /** Reports a crust-nat failure the same way in every STUN command: stderr, and a JSON line with --json. */
    static int fail(CommandLine.Model.CommandSpec spec, boolean json, Exception e) {
        if (json) {
            spec.commandLine().getOut().println(Json.object().put("event", "error").put("message", e.getMessage()));
            spec.commandLine().getOut().flush();
        }
        spec.commandLine().getErr().println("crust-demo nat " + spec.name() + ": " + e.getMessage());
        spec.commandLine().getErr().flush();
        return 1;
    }
}
