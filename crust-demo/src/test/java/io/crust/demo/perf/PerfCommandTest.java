package io.crust.demo.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.demo.Main;
import io.crust.demo.OutputLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The perf tool end to end on loopback: both ends report the same bytes and SHA-256. */
class PerfCommandTest {
    private static final Pattern SHA = Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"");
    private static final Pattern BYTES = Pattern.compile("\"bytes\":(\\d+)");

    /** What a perf server prints on its error stream once it listens, with the port it took. */
    private static final Pattern LISTENING = Pattern.compile("perf server: (?:crust-udt|TCP) on /127\\.0\\.0\\.1:(\\d+)");

    /** A perf server running on a virtual thread, listening on {@code port}; {@code out} is what it printed. */
    private record Server(Thread thread, StringWriter out, OutputLines err, int port) {
    }

    /**
     * Starts {@code perf server ARGS --port 0} and returns once it listens, with the port the system
     * gave it (read from its "perf server: ... on" line). Choosing a free port first and passing it
     * would leave a moment in which another socket, the client's own among them, could take it.
     */
    private static Server startServer(String... args) throws Exception {
        StringWriter out = new StringWriter();
        OutputLines err = new OutputLines();
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("perf", "server"));
        command.addAll(java.util.List.of(args));
        command.addAll(java.util.List.of("--bind", "127.0.0.1", "--port", "0"));
        Thread thread = Thread.ofVirtual().start(() -> {
            var cli = Main.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err, true));
            cli.execute(command.toArray(String[]::new));
            err.end();
        });
        Matcher listening = LISTENING.matcher(err.awaitLine("listening line", l -> LISTENING.matcher(l).find(),
                Duration.ofSeconds(30)));
        assertThat(listening.find()).isTrue();
        return new Server(thread, out, err, Integer.parseInt(listening.group(1)));
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientAndServerReportTheSameBytesAndHash(Transport transport) throws Exception {
        Server server = startServer("--transport", transport.name(), "--sessions", "1", "--json");
        StringWriter clientOut = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(clientOut));
        int code = cli.execute("perf", "client", "--transport", transport.name(), "--connect", "127.0.0.1:" + server.port(),
                "--bytes", "3M", "--json");
        assertThat(code).isZero();
        server.thread().join(TimeUnit.SECONDS.toMillis(60));
        assertThat(server.thread().isAlive()).isFalse();
        String c = clientOut.toString();
        String s = server.out().toString();
        assertThat(c).contains("\"transport\":\"" + transport.name() + "\"").contains("\"mbps\":");
        assertThat(group(BYTES, c)).isEqualTo(String.valueOf(3 * 1024 * 1024));
        assertThat(s).as("server output (its errors: %s)", server.err().lines()).isNotEmpty();
        assertThat(group(BYTES, s)).isEqualTo(group(BYTES, c));
        assertThat(group(SHA, s)).isEqualTo(group(SHA, c));
    }

    @org.junit.jupiter.api.Test
    void aUdtClientSendingForADurationUsesTheLibrarysBbrAndTheServerGetsEveryByteItSent() throws Exception {
        Server server = startServer("--transport", "udt", "--sessions", "1", "--json");
        StringWriter clientOut = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(clientOut));
        int code = cli.execute("perf", "client", "--connect", "127.0.0.1:" + server.port(), "--duration", "0.5", "--json");
        assertThat(code).isZero();
        server.thread().join(TimeUnit.SECONDS.toMillis(60));
        assertThat(server.thread().isAlive()).isFalse();
        String c = clientOut.toString();
        String s = server.out().toString();
        assertThat(c).contains("\"details\":\"bbr, rtt ");
        assertThat(Long.parseLong(group(BYTES, c))).isPositive();
        assertThat(group(BYTES, s)).as("server output (its errors: %s)", server.err().lines()).isEqualTo(group(BYTES, c));
        assertThat(group(SHA, s)).isEqualTo(group(SHA, c));
    }

    @org.junit.jupiter.api.Test
    void withIntervalAndJsonTheClientPrintsOneJsonLinePerIntervalCoveringEveryByteThenTheResult() throws Exception {
        Server server = startServer("--transport", "tcp", "--sessions", "1");
        StringWriter clientOut = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(clientOut));
        int code = cli.execute("perf", "client", "--transport", "tcp", "-c", "127.0.0.1", "-p", String.valueOf(server.port()),
                "-t", "1.2", "-i", "0.3", "-J");
        assertThat(code).isZero();
        server.thread().join(TimeUnit.SECONDS.toMillis(60));

        java.util.List<String> lines = clientOut.toString().lines().toList();
        java.util.List<String> intervals = lines.subList(0, lines.size() - 1);
        assertThat(intervals).hasSizeBetween(4, 5).allSatisfy(l -> assertThat(l).startsWith("{\"event\":\"interval\","));
        assertThat(lines.getLast()).startsWith("{\"event\":\"result\",");
        long intervalBytes = intervals.stream().mapToLong(l -> Long.parseLong(group(BYTES, l))).sum();
        assertThat(intervalBytes).isPositive().isEqualTo(Long.parseLong(group(BYTES, lines.getLast())));
        Pattern start = Pattern.compile("\"startSeconds\":([0-9.]+)");
        Pattern end = Pattern.compile("\"endSeconds\":([0-9.]+)");
        for (int i = 1; i < intervals.size(); i++) {
            assertThat(group(start, intervals.get(i))).isEqualTo(group(end, intervals.get(i - 1)));
        }
    }

    @org.junit.jupiter.api.Test
    void bothEndsDefaultToTheSamePortAndTakeIperf3sShortOptions() {
        var perf = Main.commandLine().getSubcommands().get("perf");
        var server = perf.getSubcommands().get("server").getCommandSpec();
        var client = perf.getSubcommands().get("client").getCommandSpec();
        assertThat(server.findOption("-p").defaultValue()).isEqualTo(String.valueOf(PerfCommand.DEFAULT_PORT));
        assertThat(client.findOption("-p").defaultValue()).isEqualTo(String.valueOf(PerfCommand.DEFAULT_PORT));
        for (String option : java.util.List.of("-c", "-n", "-t", "-i", "-J")) {
            assertThat(client.findOption(option)).as(option).isNotNull();
        }
        assertThat(server.findOption("-B")).isNotNull();
        assertThat(server.findOption("-J")).isNotNull();
    }

    @org.junit.jupiter.api.Test
    void aServerWithoutAPortGetsTheDefaultPort() {
        assertThat(PerfClientCommand.parseHostPort("127.0.0.1", 5484)).isEqualTo(new java.net.InetSocketAddress("127.0.0.1", 5484));
        assertThat(PerfClientCommand.parseHostPort("127.0.0.1:7000", 5484)).isEqualTo(new java.net.InetSocketAddress("127.0.0.1", 7000));
        assertThat(PerfClientCommand.parseHostPort("[::1]", 5484)).isEqualTo(new java.net.InetSocketAddress("::1", 5484));
        assertThat(PerfClientCommand.parseHostPort("[::1]:7000", 5484)).isEqualTo(new java.net.InetSocketAddress("::1", 7000));
        assertThat(PerfClientCommand.parseHostPort("::1", 5484)).isEqualTo(new java.net.InetSocketAddress("::1", 5484));
    }

    @org.junit.jupiter.api.Test
    void aMalformedServerAddressIsAUsageErrorNotACrash() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));

        assertThat(cli.execute("perf", "client", "-c", "127.0.0.1:port", "-n", "1k")).isEqualTo(2);
        assertThat(err.toString()).contains("--connect 127.0.0.1:port").doesNotContain("at io.crust");
    }

    private static String group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertThat(m.find()).as("%s in %s", p, text).isTrue();
        return m.group(1);
    }
}
