package io.crust.demo.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.demo.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The perf tool end to end on loopback: both ends report the same bytes and SHA-256. */
class PerfCommandTest {
    private static final Pattern SHA = Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"");
    private static final Pattern BYTES = Pattern.compile("\"bytes\":(\\d+)");

    private static int freePort(Transport transport) throws Exception {
        if (transport == Transport.udt) {
            try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void clientAndServerReportTheSameBytesAndHash(Transport transport) throws Exception {
        int port = freePort(transport);
        StringWriter serverOut = new StringWriter();
        Thread server = Thread.ofVirtual().start(() -> {
            var cli = Main.commandLine();
            cli.setOut(new PrintWriter(serverOut));
            cli.setErr(new PrintWriter(new StringWriter()));
            cli.execute("perf", "server", "--transport", transport.name(), "--bind", "127.0.0.1",
                    "--port", String.valueOf(port), "--sessions", "1", "--json");
        });
        StringWriter clientOut = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(clientOut));
        int code = -1;
        for (int attempt = 0; attempt < 50 && code != 0; attempt++) { // until the server listens
            code = cli.execute("perf", "client", "--transport", transport.name(), "--connect", "127.0.0.1:" + port,
                    "--bytes", "3M", "--json");
            if (code != 0) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        assertThat(code).isZero();
        server.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(server.isAlive()).isFalse();
        String c = clientOut.toString();
        String s = serverOut.toString();
        assertThat(c).contains("\"transport\":\"" + transport.name() + "\"").contains("\"mbps\":");
        assertThat(group(BYTES, c)).isEqualTo(String.valueOf(3 * 1024 * 1024));
        assertThat(group(BYTES, s)).isEqualTo(group(BYTES, c));
        assertThat(group(SHA, s)).isEqualTo(group(SHA, c));
    }

    @org.junit.jupiter.api.Test
    void withIntervalAndJsonTheClientPrintsOneJsonLinePerIntervalCoveringEveryByteThenTheResult() throws Exception {
        int port = freePort(Transport.tcp);
        Thread server = Thread.ofVirtual().start(() -> {
            var cli = Main.commandLine();
            cli.setOut(new PrintWriter(new StringWriter()));
            cli.setErr(new PrintWriter(new StringWriter()));
            cli.execute("perf", "server", "--transport", "tcp", "-B", "127.0.0.1", "-p", String.valueOf(port), "--sessions", "1");
        });
        StringWriter clientOut = new StringWriter();
        int code = -1;
        for (int attempt = 0; attempt < 50 && code != 0; attempt++) { // until the server listens
            clientOut.getBuffer().setLength(0);
            var cli = Main.commandLine();
            cli.setOut(new PrintWriter(clientOut));
            code = cli.execute("perf", "client", "--transport", "tcp", "-c", "127.0.0.1", "-p", String.valueOf(port),
                    "-t", "1.2", "-i", "0.3", "-J");
            if (code != 0) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        assertThat(code).isZero();
        server.join(TimeUnit.SECONDS.toMillis(60));

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
