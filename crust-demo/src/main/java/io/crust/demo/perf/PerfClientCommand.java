package io.crust.demo.perf;

import io.crust.demo.Terminal;
import io.crust.nat.HostPort;
import io.crust.udt.ConnectionStats;
import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code perf client}: connects, sends {@code --bytes} bytes or for {@code --duration} seconds, closes
 * gracefully (which waits until the server has everything) and prints one line. The data is a
 * pseudo-random block repeated with a shifting start, so it is neither compressible nor constant.
 * With {@code --interval} it also prints a line per interval: the bytes the transport took from the
 * sender in that interval (for crust-udt, taken into its send buffer; the final line counts what the
 * server acknowledged). Without {@code --json}, on a terminal and with no interval reports, a progress
 * line is redrawn on standard error once a second. With {@code --duration} a crust-udt client keeps its
 * unacknowledged backlog to about half a second of what the path delivers (at least 64 KiB), so that
 * its close after the deadline drains that little, whatever the loss.
 */
@Command(name = "client", mixinStandardHelpOptions = true, description = "Send a perf session and print one line.")
final class PerfClientCommand implements Callable<Integer> {
    private static final int CHUNK = 64 * 1024;
    static final long MIN_BACKLOG_BYTES = 64 * 1024;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--transport", defaultValue = "udt", description = "udt or tcp (default: ${DEFAULT-VALUE})")
    Transport transport;

    @Option(names = {"-c", "--connect"}, required = true, paramLabel = "HOST[:PORT]",
            description = "the server; without a port, the one of --port")
    String connect;

    @Option(names = {"-p", "--port"}, defaultValue = "" + PerfCommand.DEFAULT_PORT,
            description = "server port when --connect has none (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = {"-i", "--interval"}, defaultValue = "0", paramLabel = "SECONDS",
            description = "also report every SECONDS (0, the default: only the final line)")
    double intervalSeconds;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Amount amount;

    static final class Amount {
        @Option(names = {"-n", "--bytes"}, description = "bytes to send, e.g. 1073741824 (suffixes k, M, G allowed)")
        String bytes;

        @Option(names = {"-t", "--duration"}, paramLabel = "SECONDS", description = "seconds to send for")
        Double durationSeconds;
    }

    @Option(names = {"-J", "--json"}, description = "print one JSON object per line")
    boolean json;

    @Option(names = "--cc", defaultValue = "bbr",
            description = "crust-udt congestion controller: bbr (the library's default), cubic or new_reno (default: ${DEFAULT-VALUE})")
    String congestionControl;

    /** Whether a progress line is redrawn on standard error, and whether one was. */
    private boolean progressLine;
    private boolean sentProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InetSocketAddress server;
        try {
            server = parseHostPort(connect, port);
        } catch (IllegalArgumentException e) { // NumberFormatException too: a usage error, not a crash
            throw new CommandLine.ParameterException(spec.commandLine(), "--connect " + connect + ": " + e.getMessage());
        }
        if (intervalSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval must be 0 or more seconds");
        }
        progressLine = !json && intervalSeconds == 0 && Terminal.isInteractive();
        long limitBytes = amount.bytes == null ? Long.MAX_VALUE : parseBytes(amount.bytes);
        long limitNanos = amount.durationSeconds == null ? Long.MAX_VALUE : (long) (amount.durationSeconds * 1e9);
        PerfResult result = transport == Transport.udt
                ? sendUdt(server, limitBytes, limitNanos) : sendTcp(server, limitBytes, limitNanos);
        if (sentProgress) {
            spec.commandLine().getErr().println();
        }
        out.println(result.line(json));
        out.flush();
        return 0;
    }

    private PerfResult sendUdt(InetSocketAddress server, long limitBytes, long limitNanos) throws Exception {
        UdtConfig config = UdtConfig.builder().congestionControl(
                UdtConfig.CongestionControl.valueOf(congestionControl.toUpperCase(Locale.ROOT))).build();
        try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(0), config)) {
            UdtConnection c = endpoint.connect(server, Duration.ofSeconds(10));
            Sender sender = new Sender(limitBytes, limitNanos);
            sender.run(chunk -> c.send(chunk), limitNanos == Long.MAX_VALUE ? Backlog.UNBOUNDED
                    : (written, deadline) -> awaitBacklogBelowHalfASecond(c, written, sender.start, deadline));
            c.close(); // returns once every byte is acknowledged
            double seconds = (System.nanoTime() - sender.start) / 1e9;
            ConnectionStats st = c.stats();
            String details = String.format(Locale.ROOT, "%s, rtt %.3f ms, payload %d B, lost %d packets, retransmitted %d B, %s",
                    config.congestionControl().name().toLowerCase(Locale.ROOT), st.smoothedRtt().toNanos() / 1e6,
                    st.payloadBytes(), st.packetsLost(), st.bytesRetransmitted(), PerfResult.describe(endpoint.socketBuffers()));
            return new PerfResult("client", Transport.udt, server.toString(), sender.sent, seconds, sender.sha.digest(), details);
        }
    }

    private PerfResult sendTcp(InetSocketAddress server, long limitBytes, long limitNanos) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server, 10_000);
            OutputStream o = s.getOutputStream();
            Sender sender = new Sender(limitBytes, limitNanos);
            sender.run(chunk -> o.write(chunk), Backlog.UNBOUNDED); // the kernel sizes its send buffer to the window
            s.shutdownOutput();
            s.getInputStream().read(); // the server closes after reading everything
            double seconds = (System.nanoTime() - sender.start) / 1e9;
            return new PerfResult("client", Transport.tcp, server.toString(), sender.sent, seconds, sender.sha.digest(), null);
        }
    }

    /**
     * Whether {@code chunk} more bytes may be written: what the client has written but the server not
     * yet acknowledged stays within about what the path delivers in half a second (at least twice the
     * congestion window, and 64 KiB), so that the drain after a {@code --duration} deadline is short
     * whatever the loss. crust-udt's send buffer holds 4 MiB, which takes over 30 s to drain at the
     * 1 Mbit/s that CUBIC keeps at 5 % loss; kernel TCP sizes its send buffer to the window for the same
     * reason. The acknowledged bytes are estimated from the stats (first sends less what is in flight),
     * which is close enough for a bound.
     */
    static boolean hasRoomFor(int chunk, ConnectionStats st, long written, long elapsedNanos) {
        long acknowledged = Math.max(0, st.bytesSent() - st.bytesInFlight());
        double seconds = Math.max(1e-3, elapsedNanos / 1e9);
        long limit = Math.max(MIN_BACKLOG_BYTES, Math.max(2 * st.congestionWindowBytes(), (long) (acknowledged / seconds / 2)));
        return written + chunk - acknowledged <= limit;
    }

    private interface ChunkSink {
        void write(byte[] chunk) throws IOException;
    }

    /** Waits, before the next chunk, until the transport should take more; returns at {@code deadlineNanos} at the latest. */
    private interface Backlog {
        /** Never waits: the transport's own buffer is the bound. */
        Backlog UNBOUNDED = (written, deadlineNanos) -> { };

        void awaitRoom(long written, long deadlineNanos) throws IOException;
    }

    /**
     * With {@code --duration}: waits until the next chunk fits in the backlog that {@link #hasRoomFor}
     * allows, or until the deadline.
     */
    private static void awaitBacklogBelowHalfASecond(UdtConnection c, long written, long startNanos, long deadlineNanos)
            throws IOException {
        while (true) {
            ConnectionStats st = c.stats();
            long now = System.nanoTime();
            if (hasRoomFor(CHUNK, st, written, now - startNanos) || now - deadlineNanos >= 0) {
                return;
            }
            // The stats have no wait of their own: look again after a quarter of a round trip.
            long pause = Math.min(deadlineNanos - now, Math.max(1_000_000L, st.smoothedRtt().toNanos() / 4));
            try {
                Thread.sleep(Duration.ofNanos(pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while the send backlog drained");
            }
        }
    }

    /** Produces the data, hashes it, and shows progress on standard error without --json. */
    private final class Sender {
        final long limitBytes;
        final long limitNanos;
        final MessageDigest sha;
        final byte[] pattern = new byte[1 << 20];
        long start;
        long sent;

        Sender(long limitBytes, long limitNanos) throws Exception {
            this.limitBytes = limitBytes;
            this.limitNanos = limitNanos;
            this.sha = MessageDigest.getInstance("SHA-256");
            new Random(0x5eed).nextBytes(pattern);
        }

        void run(ChunkSink sink, Backlog backlog) throws IOException {
            start = System.nanoTime();
            long deadline = limitNanos == Long.MAX_VALUE ? Long.MAX_VALUE : start + limitNanos;
            long progressNanos = 1_000_000_000L;
            long intervalNanos = (long) (intervalSeconds * 1e9);
            long nextProgress = start + progressNanos;
            long nextInterval = intervalNanos > 0 ? start + intervalNanos : Long.MAX_VALUE;
            long intervalStart = start;
            long intervalStartBytes = 0;
            int offset = 0;
            while (sent < limitBytes && System.nanoTime() - start < limitNanos) {
                backlog.awaitRoom(sent, deadline);
                if (System.nanoTime() - start >= limitNanos) {
                    break;
                }
                int n = (int) Math.min(CHUNK, limitBytes - sent);
                if (offset + n > pattern.length) {
                    offset = (offset + 7919) % (pattern.length - CHUNK);
                }
                byte[] chunk = Arrays.copyOfRange(pattern, offset, offset + n);
                offset += n;
                sha.update(chunk);
                sink.write(chunk);
                sent += n;
                long now = System.nanoTime();
                if (now >= nextInterval) {
                    report(new PerfInterval(transport, (intervalStart - start) / 1e9, (now - start) / 1e9,
                            sent - intervalStartBytes));
                    intervalStart = now;
                    intervalStartBytes = sent;
                    nextInterval = now + intervalNanos;
                }
                if (progressLine && now >= nextProgress) {
                    double s = (now - start) / 1e9;
                    spec.commandLine().getErr().printf(Locale.ROOT, "\r%,d bytes sent, %.1f Mbit/s   ", sent, sent * 8 / s / 1e6);
                    spec.commandLine().getErr().flush();
                    sentProgress = true;
                    nextProgress = now + progressNanos;
                }
            }
            long end = System.nanoTime();
            if (intervalNanos > 0 && sent > intervalStartBytes) { // the last, possibly shorter, interval
                report(new PerfInterval(transport, (intervalStart - start) / 1e9, (end - start) / 1e9,
                        sent - intervalStartBytes));
            }
        }

        private void report(PerfInterval interval) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(interval.line(json));
            out.flush();
        }
    }

    /**
     * {@code HOST:PORT}, {@code [IPv6]:PORT}, or a host alone ({@code HOST}, {@code [IPv6]}, a bare IPv6
     * address) with {@code defaultPort}. A name the user typed is looked up; a literal is not.
     */
    static InetSocketAddress parseHostPort(String text, int defaultPort) {
        String withPort = text;
        if (text.startsWith("[") && text.endsWith("]")) {
            withPort = text + ":" + defaultPort;
        } else if (!text.startsWith("[") && text.indexOf(':') < 0) {
            withPort = text + ":" + defaultPort;
        } else if (!text.startsWith("[") && text.indexOf(':') != text.lastIndexOf(':')) {
            withPort = "[" + text + "]:" + defaultPort; // a bare IPv6 address
        }
        HostPort hostPort = HostPort.parse(withPort); // IllegalArgumentException saying what is wrong
        try {
            return hostPort.resolve(); // typed by the user: a name is looked up, a literal is not
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve host '" + hostPort.host() + "'");
        }
    }


    static long parseBytes(String text) {
        String t = text.trim();
        long unit = 1;
        char last = Character.toLowerCase(t.charAt(t.length() - 1));
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * unit;
    }
}
