package io.crust.bench;

import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bulk transfer, one session: {@code server udt|tcp|kwik BIND_HOST PORT [KEYSTORE]} receives one
 * stream to its end and prints its figures; {@code client udt|tcp|kwik HOST PORT BYTES} sends
 * {@code BYTES} and prints its own. Both measure CPU seconds of their process (JVM start included).
 *
 * <p>For flows that share a link (run.sh's fairness pairs): {@code -Dgoodput.seconds=S} makes the client
 * send for S seconds rather than a size; {@code -Dgoodput.startAtMillis=T} makes it connect first and
 * start sending at wall-clock time T (milliseconds since the epoch), so two clients on one machine start
 * a set time apart whatever their JVMs take to start; {@code -Dgoodput.windowMillis=FROM,TO} makes the
 * server also report what it received between those wall-clock times ({@code windowMbps}), the span in
 * which both flows send.
 */
public final class Goodput {
    static final int CHUNK_BYTES = 64 * 1024;
    /** What the receiving side has counted so far, printed by a shutdown hook if the run is cut short. */
    private static volatile long receivedBytes;
    private static volatile long firstByteNanos;
    /** The sender's process CPU seconds when half of its bytes were written (steady-state figures, see drain). */
    private static double cpuAtHalfWritten = Double.NaN;
    private static final long CHECKPOINT_BYTES = 16L << 20;

    private Goodput() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        String transport = args[1];
        InetAddress host = InetAddress.getByName(args[2]);
        int port = Integer.parseInt(args[3]);
        if (role.equals("server")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (receivedBytes > 0) {
                    Figures.of("goodput-server-partial").put("transport", transport)
                            .goodput(receivedBytes, System.nanoTime() - firstByteNanos).print();
                }
            }));
            switch (transport) {
                case "udt", "udt-fast", "udt-cubic", "udt-bbr" -> udtServer(host, port, udtConfig(transport));
                case "tcp" -> tcpServer(host, port);
                case "kwik" -> KwikGoodput.server(port, args[4]);
                default -> throw new IllegalArgumentException(transport);
            }
        } else {
            long bytes = Long.parseLong(args[4]);
            switch (transport) {
                case "udt", "udt-fast", "udt-cubic", "udt-bbr" -> udtClient(new InetSocketAddress(host, port), bytes, udtConfig(transport));
                case "tcp" -> tcpClient(new InetSocketAddress(host, port), bytes);
                case "kwik" -> KwikGoodput.client(args[2], port, bytes);
                default -> throw new IllegalArgumentException(transport);
            }
        }
    }

    /**
     * {@code udt}: the defaults on the JDK's datagram calls; {@code udt-fast}: the defaults, on the Linux
     * fast path when the JVM grants native access (run.sh passes {@code --enable-native-access}); the
     * client's figures name the path taken. {@code udt-cubic}, {@code udt-bbr}: that congestion controller.
     */
    static UdtConfig udtConfig(String transport) {
        return switch (transport) {
            case "udt" -> UdtConfig.builder().fastPath(false).build();
            case "udt-cubic" -> UdtConfig.builder().congestionControl(UdtConfig.CongestionControl.CUBIC).fastPath(false).build();
            case "udt-bbr" -> UdtConfig.builder().congestionControl(UdtConfig.CongestionControl.BBR).fastPath(false).build();
            default -> UdtConfig.defaults();
        };
    }

    private static void udtServer(InetAddress host, int port, UdtConfig config) throws Exception {
        try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(host, port), config)) {
            System.out.println("READY " + endpoint.localAddress().getPort());
            try (UdtConnection connection = endpoint.accept(Duration.ofMinutes(5))) {
                drain(connection.inputStream(), "udt", connection.stats().toString());
            }
        }
    }

    private static void udtClient(InetSocketAddress server, long bytes, UdtConfig config) throws Exception {
        try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(server.getAddress().isLoopbackAddress()
                ? server.getAddress() : InetAddress.getByName("0.0.0.0"), 0), config)) {
            UdtConnection connection = endpoint.connect(server, Duration.ofSeconds(30));
            awaitStartTime();
            double cpuAtStart = Figures.processCpuSeconds();
            long start = System.nanoTime();
            long sent = fill(connection.outputStream(), bytes);
            connection.close();
            Figures.of("goodput-client").put("transport", "udt").goodput(sent, System.nanoTime() - start)
                    .put("transferCpuSeconds", Figures.processCpuSeconds() - cpuAtStart)
                    .put("secondHalfCpuSeconds", Figures.processCpuSeconds() - cpuAtHalfWritten)
                    .put("datagramPath", endpoint.datagramPath())
                    .put("stats", connection.stats().toString()).print();
        }
    }

    private static void tcpServer(InetAddress host, int port) throws Exception {
        try (ServerSocket listener = new ServerSocket(port, 1, host)) {
            System.out.println("READY " + listener.getLocalPort());
            try (Socket socket = listener.accept()) {
                drain(socket.getInputStream(), "tcp", "");
            }
        }
    }

    private static void tcpClient(InetSocketAddress server, long bytes) throws Exception {
        try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
            awaitStartTime();
            double cpuAtStart = Figures.processCpuSeconds();
            long start = System.nanoTime();
            long sent = fill(socket.getOutputStream(), bytes);
            socket.shutdownOutput();
            socket.getInputStream().read(); // the server closes after the last byte
            Figures.of("goodput-client").put("transport", "tcp").goodput(sent, System.nanoTime() - start)
                    .put("transferCpuSeconds", Figures.processCpuSeconds() - cpuAtStart)
                    .put("secondHalfCpuSeconds", Figures.processCpuSeconds() - cpuAtHalfWritten).print();
        }
    }

    /** Waits until {@code -Dgoodput.startAtMillis}, if set (see the class comment). */
    private static void awaitStartTime() throws InterruptedException {
        String at = System.getProperty("goodput.startAtMillis");
        if (at == null) {
            return;
        }
        long wait = Long.parseLong(at) - System.currentTimeMillis();
        if (wait < 0) {
            System.err.println("goodput: connected " + -wait + " ms after the start time");
        } else {
            Thread.sleep(wait);
        }
    }

    /**
     * Writes {@code bytes}, or as many as fit in {@code -Dgoodput.seconds} if that is set (flows that
     * share a link are compared over the same time, not the same size); returns the bytes written.
     */
    static long fill(OutputStream out, long bytes) throws Exception {
        byte[] chunk = new byte[CHUNK_BYTES];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31);
        }
        String seconds = System.getProperty("goodput.seconds");
        long deadline = seconds == null ? Long.MAX_VALUE : System.nanoTime() + (long) (Double.parseDouble(seconds) * 1e9);
        long left = bytes;
        while (left > 0 && System.nanoTime() - deadline < 0) {
            int n = (int) Math.min(left, chunk.length);
            out.write(chunk, 0, n);
            left -= n;
            if (Double.isNaN(cpuAtHalfWritten) && left <= bytes / 2) {
                cpuAtHalfWritten = Figures.processCpuSeconds();
            }
        }
        out.flush();
        return bytes - left;
    }

    /**
     * Reads to the end; times from the first byte to the last. Also prints the second half of the
     * transfer on its own ({@code secondHalfMbps}, {@code secondHalfCpuSeconds}): a JVM spends the first
     * seconds compiling the hot paths (in a 1 GiB veth transfer the C2 compiler thread took about a
     * quarter of each process's CPU samples), which a short transfer counts and a long one does not.
     */
    static void drain(InputStream in, String transport, String stats) throws Exception {
        byte[] buffer = new byte[CHUNK_BYTES];
        long total = 0;
        long start = 0;
        double cpuAtStart = Figures.processCpuSeconds();
        List<long[]> checkpoints = new ArrayList<>(); // {bytes, nanos, cpu micros}, every CHECKPOINT_BYTES
        String window = System.getProperty("goodput.windowMillis");
        long windowFrom = window == null ? Long.MAX_VALUE : Long.parseLong(window.split(",")[0]);
        long windowTo = window == null ? Long.MIN_VALUE : Long.parseLong(window.split(",")[1]);
        long windowBytes = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (window != null) {
                long now = System.currentTimeMillis();
                if (now >= windowFrom && now < windowTo) {
                    windowBytes += n;
                }
            }
            if (total == 0 && n > 0) {
                start = System.nanoTime();
                firstByteNanos = start;
                cpuAtStart = Figures.processCpuSeconds();
            }
            if (total / CHECKPOINT_BYTES != (total + n) / CHECKPOINT_BYTES) {
                checkpoints.add(new long[] {total + n, System.nanoTime(), (long) (Figures.processCpuSeconds() * 1e6)});
            }
            total += n;
            receivedBytes = total;
        }
        long end = System.nanoTime();
        double cpuAtEnd = Figures.processCpuSeconds();
        receivedBytes = 0;
        Figures figures = Figures.of("goodput-server").put("transport", transport).goodput(total, end - start)
                .put("transferCpuSeconds", cpuAtEnd - cpuAtStart);
        for (long[] c : checkpoints) {
            if (c[0] >= total / 2 && c[0] < total && end > c[1]) {
                figures.put("secondHalfMbps", (total - c[0]) * 8e3 / (end - c[1]))
                        .put("secondHalfBytes", total - c[0])
                        .put("secondHalfCpuSeconds", cpuAtEnd - c[2] / 1e6);
                break;
            }
        }
        if (window != null) {
            figures.put("windowMbps", windowBytes * 8.0 / (windowTo - windowFrom) / 1e3).put("windowBytes", windowBytes)
                    .put("windowMillis", window);
        }
        figures.put("stats", stats).print();
    }
}
