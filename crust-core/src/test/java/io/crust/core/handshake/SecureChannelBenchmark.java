package io.crust.core.handshake;

import io.crust.core.Identity;
import io.crust.core.frame.TcpFrameTransport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the secure channel over TCP on loopback: one sender thread, one receiver thread,
 * messages of a given size. Not a test; run by hand (see docs/handshake.md):
 *
 * <pre>
 * java -cp crust-core/target/test-classes:crust-core/target/classes:bcprov.jar:slf4j-api.jar \
 *     io.crust.core.handshake.SecureChannelBenchmark [seconds, default 5]
 * </pre>
 */
public final class SecureChannelBenchmark {
    private SecureChannelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        System.out.printf("java %s, %d cpus%n", Runtime.version(), Runtime.getRuntime().availableProcessors());
        for (int size : new int[] {1024, 16 * 1024, 64 * 1024, 1024 * 1024}) {
            double rate = measure(size, seconds);
            System.out.printf(Locale.ROOT, "message %8d bytes: %8.1f MB/s of application data%n", size, rate);
        }
        long start = System.nanoTime();
        int handshakes = 200;
        for (int i = 0; i < handshakes; i++) {
            try (ChannelPair pair = pair(HandshakeParams.defaults("bench"))) {
                pair.initiator().handshakeHash();
            }
        }
        System.out.printf(Locale.ROOT, "handshake over loopback TCP incl. connect: %.2f ms each (%d runs)%n",
                (System.nanoTime() - start) / 1e6 / handshakes, handshakes);
    }

    private static ChannelPair pair(HandshakeParams params) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Socket> accepted = executor.submit(server::accept);
            Socket dialled = new Socket(loopback, server.getLocalPort());
            return ChannelPair.connect(new TcpFrameTransport(dialled, TcpFrameTransport.MAX_FRAME_BYTES),
                    new TcpFrameTransport(accepted.get(10, TimeUnit.SECONDS), TcpFrameTransport.MAX_FRAME_BYTES), params);
        }
    }

    private static double measure(int size, double seconds) throws Exception {
        HandshakeParams params = new HandshakeParams("bench", HandshakeParams.CURRENT_PROTOCOL_VERSION,
                HandshakeParams.DEFAULT_TIMEOUT, Math.max(size, 1024));
        try (ChannelPair pair = pair(params); ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            byte[] message = new byte[size];
            long warmupNanos = (long) (seconds * 0.3e9);
            long measureNanos = (long) (seconds * 1e9);
            Future<?> sender = executor.submit(() -> {
                long end = System.nanoTime() + warmupNanos + measureNanos + 2_000_000_000L;
                while (System.nanoTime() < end) {
                    pair.initiator().send(message);
                }
                pair.initiator().close();
                return null;
            });
            long warmEnd = System.nanoTime() + warmupNanos;
            while (System.nanoTime() < warmEnd) {
                pair.responder().receive();
            }
            long bytes = 0;
            long start = System.nanoTime();
            long end = start + measureNanos;
            long now;
            while ((now = System.nanoTime()) < end) {
                bytes += pair.responder().receive().length;
            }
            double rate = bytes / ((now - start) / 1e9) / 1e6;
            pair.responder().close();
            try {
                sender.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException closedUnderIt) {
                // the sender fails once the receiver has closed: expected
            }
            return rate;
        }
    }
}
