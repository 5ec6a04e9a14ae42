package io.crust.demo.peer;

import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.demo.Json;
import io.crust.demo.Terminal;
import io.crust.nat.HostPort;
import io.crust.nat.IpLiteral;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code crust-demo peer}: a Crust peer driven by line commands, for people (an interactive shell with
 * a progress bar) or for programs ({@code --json}: commands on standard input, one JSON object per
 * line on standard output, logs on standard error). Type {@code help} at the prompt for the commands.
 */
@Command(name = "peer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a Crust peer: an interactive shell, or a JSON line protocol with --json.",
                "Commands: id, peers, connect PEERID|HOST:PORT, send PEER TEXT..., sendfile PEER PATH,",
                "drop PEER, ban PEERID|IP|CIDR, help, quit."})
public final class PeerCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen-tcp", paramLabel = "PORT", description = "TCP port to listen on (default 0: random)")
    int listenTcp;

    @Option(names = "--listen-udp", paramLabel = "PORT", description = "UDP port to listen on (default 0: random)")
    int listenUdp;

    @Option(names = "--contact", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "bootstrap contact; repeat for several")
    List<InetSocketAddress> contacts = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "identity, bootstrap cache and received files (default: $XDG_DATA_HOME/crust, or"
                    + " ~/.local/share/crust without XDG_DATA_HOME)")
    Path dataDir;

    @Option(names = "--network", paramLabel = "NAME", defaultValue = "crust",
            description = "network name; peers of other networks are refused (default: ${DEFAULT-VALUE})")
    String network;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "local address to listen on (default: all)")
    String bind;

    @Option(names = "--no-tcp", description = "do not use TCP")
    boolean noTcp;

    @Option(names = "--no-udp", description = "do not use UDP (crust-udt)")
    boolean noUdp;

    @Option(names = "--no-upnp", description = "do not ask the router for port mappings (UPnP, NAT-PMP, PCP) or IPv6 pinholes")
    boolean noUpnp;

    @Option(names = "--lan", description = "announce and discover peers on the local network (LAN beacon)")
    boolean lan;

    @Option(names = "--relay", description = "relay traffic for peers that cannot reach each other directly")
    boolean relay;

    @Option(names = "--max-file-mib", paramLabel = "MIB", defaultValue = "4096",
            description = "largest file accepted from a peer, in MiB (default: ${DEFAULT-VALUE})")
    long maxFileMib;

    @Option(names = "--json", description = "machine mode: commands on stdin, one JSON object per line on stdout")
    boolean json;

    @Option(names = "--debug", description = "log everything at DEBUG on standard error, the UPnP library included")
    boolean debug;

    /** Where commands come from; tests replace standard input. */
    InputStream input = System.in;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        configureLogging();
        if (dataDir == null) {
            dataDir = defaultDataDir(System.getenv(), System.getProperty("user.home"));
        }
        ShellOutput output = new ShellOutput(out, json, Terminal.isInteractive());
        CrustConfig config;
        CrustNode node;
        try {
            config = config();
            node = CrustNode.start(config);
        } catch (CrustException | IllegalArgumentException e) {
            fail(out, "cannot start the peer: " + e.getMessage());
            return 1;
        }
        PeerShell shell = new PeerShell(node, output, dataDir.resolve("received"), network, config.maxMessageBytes(),
                maxFileMib * 1024 * 1024);
        Thread onCtrlC = new Thread(() -> {
            shell.close();
            output.note("bye");
        }, "crust-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            shell.start();
            shell.run(input);
        } catch (java.io.IOException e) {
            output.event("error", "message", "cannot read commands: " + e.getMessage());
        } finally {
            shell.close();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down (Ctrl-C): the hook runs anyway
            }
        }
        output.note("bye");
        return 0;
    }

    /**
     * The data folder when {@code --data-dir} is not given, after the XDG Base Directory
     * Specification: {@code $XDG_DATA_HOME/crust}, or {@code ~/.local/share/crust} when that variable
     * is unset, empty or not an absolute path (the specification says to ignore a relative one).
     */
    static Path defaultDataDir(Map<String, String> environment, String home) {
        String xdg = environment.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "crust");
        }
        return Path.of(home, ".local", "share", "crust");
    }

    /**
     * Sets slf4j-simple's levels before the first logger exists: people see events, not library
     * chatter (WARN); {@code --json} users get Crust's INFO log on standard error; {@code --debug} shows
     * everything. jupnp shows only errors unless debugging (simplelogger.properties). A level given with
     * {@code -D} on the command line wins.
     */
    private void configureLogging() {
        String level = debug ? "debug" : json ? null : "warn";
        if (level != null && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        }
        if (debug) {
            for (String logger : List.of("org.jupnp")) {
                if (System.getProperty("org.slf4j.simpleLogger.log." + logger) == null) {
                    System.setProperty("org.slf4j.simpleLogger.log." + logger, "debug");
                }
            }
        }
    }

    private CrustConfig config() throws CrustException {
        CrustConfig.Builder b = CrustConfig.builder()
                .dataDir(dataDir)
                .networkName(network)
                .listenTcpPort(listenTcp)
                .listenUdpPort(listenUdp)
                .contacts(contacts)
                .tcp(!noTcp)
                .udp(!noUdp)
                .portMapping(!noUpnp)
                .lanBeacon(lan)
                .relay(relay);
        if (bind != null) {
            try {
                b.bindAddress(IpLiteral.parse(bind));
            } catch (IllegalArgumentException e) {
                throw new CrustException("--bind must be a local IP address: " + e.getMessage());
            }
        }
        return b.build();
    }

    private void fail(PrintWriter out, String message) {
        if (json) {
            out.println(Json.object().put("event", "error").put("message", message));
            out.flush();
        } else {
            spec.commandLine().getErr().println(message);
            spec.commandLine().getErr().flush();
        }
    }

    /** Parses {@code HOST:PORT} (or {@code [IPv6]:PORT}) for {@code --contact}, with a readable error. */
    static final class HostPortConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String text) {
            HostPort hostPort;
            try {
                hostPort = HostPort.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
            try {
                return hostPort.resolve(); // typed by the user: a name is looked up, a literal is not
            } catch (UnknownHostException e) {
                throw new CommandLine.TypeConversionException("cannot resolve host '" + hostPort.host() + "'");
            }
        }
    }
}
