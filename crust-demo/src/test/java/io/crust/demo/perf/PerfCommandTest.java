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

    private static String group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertThat(m.find()).as("%s in %s", p, text).isTrue();
        return m.group(1);
    }
}
