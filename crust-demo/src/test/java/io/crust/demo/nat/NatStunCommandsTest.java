package io.crust.demo.nat;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.demo.Main;
import io.crust.nat.DatagramChannelPort;
import io.crust.nat.DatagramPort;
import io.crust.nat.StunClient;
import io.crust.nat.StunServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The STUN demo commands, run in-process against loopback servers. */
class NatStunCommandsTest {

    private static String run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args) + "";
    }

    @Test
    void stunPrintsTheExternalAddressAsJson() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();

            String code = run(out, err, "nat", "stun", "--server", "127.0.0.1:" + server.address().getPort(), "--json");

            assertThat(code).as(err.toString()).isEqualTo("0");
            assertThat(out.toString()).matches("(?s)\\{\"external\":\"127\\.0\\.0\\.1:\\d+\",.*\\}\\s*");
        }
    }

    @Test
    void stunWithoutAnAnswerFailsWithAClearMessage() throws Exception {
        try (DatagramChannelPort silent = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();

            String code = run(out, err, "nat", "stun", "--server", "127.0.0.1:" + silent.localAddress().getPort(),
                    "--timeout", "0.5");

            assertThat(code).isEqualTo("1");
            assertThat(err.toString()).contains("no STUN answer from");
        }
    }

    @Test
    void stunRejectsAServerWithoutPort() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        assertThat(run(out, err, "nat", "stun", "--server", "127.0.0.1")).isEqualTo("2");
        assertThat(err.toString()).contains("--server must be HOST:PORT");
    }

    @Test
    void classifyReportsTheRfc5780TermsAsJson() throws Exception {
        try (StunServer server = StunServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                InetAddress.getByName("127.0.0.2"), 0)) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();

            String code = run(out, err, "nat", "classify", "--server", "127.0.0.1:" + server.address().getPort(),
                    "--timeout", "1", "--json");

            assertThat(code).as(err.toString()).isEqualTo("0");
            assertThat(out.toString())
                    .contains("\"mapping\":\"endpoint-independent\"")
                    .contains("\"filtering\":\"endpoint-independent\"")
                    .contains("\"hairpinning\":true")
                    .containsPattern("\"external\":\"127\\.0\\.0\\.1:\\d+\"");
        }
    }

    @Test
    void stunServerAnswersUntilStopped() throws Exception {
        NatStunServerCommand command = new NatStunServerCommand();
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor();
                DatagramChannelPort client = DatagramPort.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Future<Integer> exit = pool.submit(() -> cli.execute("--bind", "127.0.0.1", "--port", "0", "--json"));
            int port = awaitListeningPort(out);

            StunClient.Binding b = new StunClient(client).binding(new InetSocketAddress("127.0.0.1", port),
                    Duration.ofSeconds(5));
            command.stop.countDown();

            assertThat(b.mapped()).isEqualTo(client.localAddress());
            assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(out.toString()).contains("\"event\":\"stopped\"").contains("\"responses\":1");
        }
    }

    private static int awaitListeningPort(StringWriter out) throws InterruptedException {
        Pattern listening = Pattern.compile("\"address\":\"127\\.0\\.0\\.1:(\\d+)\"");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Matcher m = listening.matcher(out.toString());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(20); // polling a StringWriter: there is no condition to await
        }
        throw new AssertionError("stun-server did not print its address: " + out);
    }
}
