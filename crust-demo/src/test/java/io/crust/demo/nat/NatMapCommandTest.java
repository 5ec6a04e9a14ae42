package io.crust.demo.nat;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.demo.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(60)
class NatMapCommandTest {

    /**
     * A NAT-PMP gateway on 127.0.0.1 that maps every request to the suggested port (RFC 6886 layouts).
     * Its epoch counts the seconds since it started, as a gateway's does (RFC 6886 section 3.6): a
     * mapper's check between renewals must not take it for a rebooted one, however slowly the test runs.
     */
    private static final class TinyNatPmpGateway implements AutoCloseable {
        final long startNanos = System.nanoTime();
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        final List<String> seen = new CopyOnWriteArrayList<>();
        final Thread thread = Thread.ofVirtual().start(this::serve);

        TinyNatPmpGateway() throws Exception {
        }

        private void serve() {
            byte[] b = new byte[64];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket in = new DatagramPacket(b, b.length);
                    socket.receive(in);
                    ByteBuffer req = ByteBuffer.wrap(b, 0, in.getLength());
                    int op = req.get(1);
                    ByteBuffer r;
                    if (op == 0) {
                        r = ByteBuffer.allocate(12).put((byte) 0).put((byte) 128).putShort((short) 0).putInt(epoch())
                                .put(new byte[] {(byte) 198, 51, 100, 9});
                    } else {
                        int internal = req.getShort(4) & 0xffff;
                        int suggested = req.getShort(6) & 0xffff;
                        int lifetime = req.getInt(8);
                        seen.add((lifetime == 0 ? "delete " : "map ") + internal);
                        r = ByteBuffer.allocate(16).put((byte) 0).put((byte) (128 + op)).putShort((short) 0).putInt(epoch())
                                .putShort((short) internal).putShort((short) (lifetime == 0 ? 0 : suggested)).putInt(lifetime);
                    }
                    socket.send(new DatagramPacket(r.array(), r.position(), in.getSocketAddress()));
                } catch (Exception e) {
                    return;
                }
            }
        }

        private int epoch() {
            return 50 + (int) java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join();
        }
    }

    @Test
    void jsonLineNamesTheExternalAddressAndTheMappingIsDeletedWhenStopped() throws Exception {
        try (TinyNatPmpGateway gateway = new TinyNatPmpGateway()) {
            CommandLine cli = Main.commandLine();
            StringWriter out = new StringWriter();
            cli.setOut(new PrintWriter(out, true));
            NatMapCommand map = cli.getSubcommands().get("nat").getSubcommands().get("map").getCommand();
            AtomicInteger exit = new AtomicInteger(-1);
            Thread run = Thread.ofVirtual().start(() -> exit.set(cli.execute("nat", "map", "--protocol", "natpmp",
                    "--port", "4000", "--transport", "udp", "--lease", "600", "--gateway", "127.0.0.1",
                    "--gateway-port", Integer.toString(gateway.socket.getLocalPort()), "--json")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!out.toString().contains("\"event\":\"mapped\"") && run.isAlive() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(20_000_000L);
            }
            assertThat(out.toString().lines().findFirst().orElse("")).isEqualTo(
                    "{\"event\":\"mapped\",\"external\":\"198.51.100.9:4000\",\"protocol\":\"natpmp\",\"transport\":\"udp\","
                            + "\"internalPort\":4000,\"lifetimeSeconds\":600,\"doubleNat\":false}");
            map.stop.countDown();
            run.join();
            assertThat(exit.get()).isZero();
            assertThat(out.toString()).contains("{\"event\":\"unmapped\",\"external\":\"198.51.100.9:4000\",\"protocol\":\"natpmp\"}");
            assertThat(gateway.seen).containsExactly("map 4000", "delete 4000");
        }
    }

    @Test
    void unreachableGatewayIsReportedAsAnErrorLineWithExitCodeOne() throws Exception {
        int closedPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = probe.getLocalPort();
        }
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        int code = cli.execute("nat", "map", "--protocol", "natpmp", "--port", "4000", "--gateway", "127.0.0.1",
                "--gateway-port", Integer.toString(closedPort), "--json");
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).startsWith("{\"event\":\"error\",\"message\":").contains("port unreachable");
    }

    @Test
    void unknownTransportIsAUsageError() {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(new StringWriter()));
        assertThat(cli.execute("nat", "map", "--port", "4000", "--transport", "sctp")).isEqualTo(2);
    }

    @Test
    void portOrLeaseOutOfRangeIsAUsageError() {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("nat", "map", "--port", "70000")).isEqualTo(2);
        assertThat(cli.execute("nat", "map", "--port", "4000", "--lease", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--lease at least 1 second");
    }
}
