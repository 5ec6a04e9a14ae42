package io.crust.demo.perf;

import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code perf server}: accepts sessions until stopped (or until {@code --sessions} have ended), reads
 * each to its end while hashing it, and prints one line per session.
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Receive perf sessions and print one line per session.")
final class PerfServerCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--transport", defaultValue = "udt", description = "udt or tcp (default: ${DEFAULT-VALUE})")
    Transport transport;

    @Option(names = {"-p", "--port"}, defaultValue = "" + PerfCommand.DEFAULT_PORT,
            description = "port to listen on (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = {"-B", "--bind"}, defaultValue = "0.0.0.0", description = "local address (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--sessions", defaultValue = "0", description = "exit after this many sessions (default: 0 = serve until stopped)")
    int sessions;

    @Option(names = {"-J", "--json"}, description = "print one JSON object per session")
    boolean json;

    private final java.util.concurrent.locks.ReentrantLock printLock = new java.util.concurrent.locks.ReentrantLock();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InetSocketAddress local = new InetSocketAddress(bind, port);
        AtomicInteger remaining = new AtomicInteger(sessions <= 0 ? Integer.MAX_VALUE : sessions);
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            if (transport == Transport.udt) {
                try (UdtEndpoint endpoint = UdtEndpoint.bind(local, UdtConfig.defaults())) {
                    err.println("perf server: crust-udt on " + endpoint.localAddress());
                    if (endpoint.socketBuffers().capped()) {
                        err.println("perf server: " + PerfResult.describe(endpoint.socketBuffers()));
                    }
                    err.flush();
                    while (remaining.getAndDecrement() > 0) {
                        UdtConnection c = acceptUdt(endpoint);
                        workers.submit(() -> report(out, err, () -> receive(c)));
                    }
                    workers.shutdown();
                    workers.awaitTermination(1, java.util.concurrent.TimeUnit.DAYS);
                }
            } else {
                try (ServerSocket server = new ServerSocket()) {
                    server.bind(local);
                    err.println("perf server: TCP on " + server.getLocalSocketAddress());
                    err.flush();
                    while (remaining.getAndDecrement() > 0) {
                        Socket s = server.accept();
                        workers.submit(() -> report(out, err, () -> receive(s)));
                    }
                    workers.shutdown();
                    workers.awaitTermination(1, java.util.concurrent.TimeUnit.DAYS);
                }
            }
        }
        return 0;
    }

    private static UdtConnection acceptUdt(UdtEndpoint endpoint) throws IOException {
        while (true) {
            try {
                return endpoint.accept(Duration.ofHours(1));
            } catch (SocketTimeoutException e) {
                // keep serving
            }
        }
    }

    private interface Session {
        PerfResult run() throws Exception;
    }

    private void report(PrintWriter out, PrintWriter err, Session session) {
        try {
            PerfResult r = session.run();
            printLock.lock(); // sessions end concurrently: one whole line each
            try {
                out.println(r.line(json));
                out.flush();
            } finally {
                printLock.unlock();
            }
        } catch (Exception e) {
            err.println("perf server: session failed: " + e);
            err.flush();
        }
    }

    private PerfResult receive(UdtConnection c) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        long start = 0;
        try {
            while (true) {
                byte[] m = c.receive();
                if (start == 0) {
                    start = System.nanoTime();
                }
                sha.update(m);
                bytes += m.length;
            }
        } catch (EOFException end) {
            // the client closed gracefully: everything has arrived
        }
        double seconds = start == 0 ? 0 : (System.nanoTime() - start) / 1e9;
        String peer = c.remoteAddress().toString();
        c.close();
        return new PerfResult("server", Transport.udt, peer, bytes, seconds, sha.digest(), null);
    }

    private PerfResult receive(Socket s) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        long start = 0;
        byte[] buffer = new byte[256 * 1024];
        try (s; InputStream in = s.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (start == 0) {
                    start = System.nanoTime();
                }
                sha.update(buffer, 0, n);
                bytes += n;
            }
            double seconds = start == 0 ? 0 : (System.nanoTime() - start) / 1e9;
            return new PerfResult("server", Transport.tcp, s.getRemoteSocketAddress().toString(), bytes, seconds,
                    sha.digest(), null);
        }
    }
}
