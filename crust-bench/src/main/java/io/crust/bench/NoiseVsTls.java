package io.crust.bench;

import io.crust.core.Identity;
import io.crust.core.frame.TcpFrameTransport;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The encrypted Crust channel (Noise XX, {@link SecureChannel} over {@link TcpFrameTransport}) against
 * JDK TLS 1.3 ({@link SSLSocket}) on loopback TCP, both ends in this process on virtual threads.
 *
 * <p>{@code throughput noise|tls BYTES KEYSTORE}: one connection moves BYTES in 16 KiB messages
 * (application writes of the same size for TLS). {@code handshakes noise|tls SECONDS KEYSTORE}:
 * sequential connect + handshake + one 1-byte round trip + close, counted for SECONDS, after a
 * warm-up of the same for a second.
 *
 * <p>Both channels run with TCP_NODELAY on both ends, as Crust's {@link TcpFrameTransport} sets it: a
 * handshake is several small flights, and with Nagle's algorithm each one may wait for the delayed
 * ACK of the one before (40 ms on Linux). The TLS certificate is what run.sh makes with keytool
 * (ECDSA P-256).
 */
public final class NoiseVsTls {
    private static final int MESSAGE_BYTES = 16 * 1024;
    private static final char[] PASSWORD = "crust-bench".toCharArray();
    private static final HandshakeParams PARAMS = HandshakeParams.defaults("crust-bench");

    private NoiseVsTls() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        boolean tls = args[1].equals("tls");
        long amount = Long.parseLong(args[2]);
        SSLContext context = tls ? sslContext(args[3]) : null;
        Identity serverIdentity = Identity.generate();
        Identity clientIdentity = Identity.generate();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket listener = tls ? context.getServerSocketFactory().createServerSocket(0, 50, loopback)
                : new ServerSocket(0, 50, loopback);
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            if (tls) {
                ((SSLServerSocket) listener).setEnabledProtocols(new String[] {"TLSv1.3"});
            }
            int port = listener.getLocalPort();
            if (mode.equals("throughput")) {
                Future<Long> received = threads.submit(() -> {
                    try (Socket s = listener.accept()) {
                        s.setTcpNoDelay(true);
                        return tls ? drainTls(s) : drainNoise(s, serverIdentity);
                    }
                });
                long start = System.nanoTime();
                String cipher = "Noise_XX_25519_ChaChaPoly_SHA256 (crust default)";
                if (tls) {
                    try (SSLSocket s = tlsClient(context, loopback, port)) {
                        cipher = s.getSession().getCipherSuite() + " (JDK choice)";
                        OutputStream out = s.getOutputStream();
                        byte[] chunk = new byte[MESSAGE_BYTES];
                        for (long left = amount; left > 0; left -= chunk.length) {
                            out.write(chunk, 0, (int) Math.min(left, chunk.length));
                        }
                        s.shutdownOutput();
                        received.get();
                    }
                } else {
                    try (SecureChannel channel = SecureChannel.initiate(
                            new TcpFrameTransport(new Socket(loopback, port), 65_535), clientIdentity, null, PARAMS)) {
                        byte[] chunk = new byte[MESSAGE_BYTES];
                        for (long left = amount; left > 0; left -= chunk.length) {
                            channel.send(left >= chunk.length ? chunk : new byte[(int) left]);
                        }
                        channel.close();
                        received.get();
                    }
                }
                long got = received.get();
                Figures.of("channel-throughput").put("channel", tls ? "tls13" : "noise").goodput(got, System.nanoTime() - start)
                        .put("cipher", cipher)
                        .print();
            } else {
                threads.submit(() -> {
                    while (true) {
                        Socket s = listener.accept();
                        s.setTcpNoDelay(true);
                        threads.submit(() -> answerOne(s, tls, serverIdentity));
                    }
                });
                long warmUpEnd = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                while (System.nanoTime() < warmUpEnd) {
                    handshake(tls, context, loopback, port, clientIdentity);
                }
                long count = 0;
                long start = System.nanoTime();
                long deadline = start + Duration.ofSeconds(amount).toNanos();
                while (System.nanoTime() < deadline) {
                    handshake(tls, context, loopback, port, clientIdentity);
                    count++;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Figures.of("channel-handshakes").put("channel", tls ? "tls13" : "noise").put("handshakes", count)
                        .put("seconds", seconds).put("perSecond", count / seconds).print();
                listener.close();
                threads.shutdownNow();
            }
        }
        System.exit(0);
    }

    /** One sequential cycle: connect, handshake, a 1-byte round trip, close. */
    private static void handshake(boolean tls, SSLContext context, InetAddress loopback, int port, Identity me)
            throws Exception {
        if (tls) {
            try (SSLSocket s = tlsClient(context, loopback, port)) {
                s.getOutputStream().write(1);
                s.getOutputStream().flush();
                if (s.getInputStream().read() != 1) {
                    throw new IllegalStateException("no echo");
                }
            }
        } else {
            try (SecureChannel channel = SecureChannel.initiate(
                    new TcpFrameTransport(new Socket(loopback, port), 65_535), me, null, PARAMS)) {
                channel.send(new byte[] {1});
                channel.receive();
            }
        }
    }

    private static SSLSocket tlsClient(SSLContext context, InetAddress loopback, int port) throws Exception {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(loopback, port);
        s.setTcpNoDelay(true);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        return s;
    }

    private static Void answerOne(Socket s, boolean tls, Identity me) {
        try (s) {
            if (tls) {
                InputStream in = s.getInputStream();
                int b = in.read();
                s.getOutputStream().write(b);
                s.getOutputStream().flush();
                in.read();
            } else {
                SecureChannel channel = SecureChannel.respond(new TcpFrameTransport(s, 65_535), me, PARAMS);
                channel.send(channel.receive());
                try {
                    channel.receive();
                } catch (java.io.IOException closed) {
                    // the client closed
                }
                channel.close();
            }
        } catch (Exception e) {
            // a refused or cut handshake does not stop the benchmark; the client side counts successes
        }
        return null;
    }

    private static long drainNoise(Socket s, Identity me) throws Exception {
        SecureChannel channel = SecureChannel.respond(new TcpFrameTransport(s, 65_535), me, PARAMS);
        long total = 0;
        try {
            while (true) {
                total += channel.receive().length;
            }
        } catch (java.io.IOException end) {
            return total;
        }
    }

    private static long drainTls(Socket s) throws Exception {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        InputStream in = s.getInputStream();
        while ((n = in.read(buffer)) >= 0) {
            total += n;
        }
        return total;
    }

    private static SSLContext sslContext(String keystorePath) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keystorePath)) {
            keyStore.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, PASSWORD);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keyStore);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
