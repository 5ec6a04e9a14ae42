package io.crust.udt.lab;

import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;

/**
 * A tiny crust-udt peer for lab tests, run in a lab namespace as its own JVM. The side that receives
 * prints {@code AT <bytes>} after each MiB, and at the end {@code RECEIVED <bytes> <sha256>
 * <longest wait between two messages, ms> <peer address> <stats>}. The side that sends prints
 * {@code SENT <bytes> <sha256> <seconds> <peer address> <stats>} after a graceful close.
 * <ul>
 *   <li>{@code server PORT}: prints READY, accepts one connection ({@code ACCEPTED <peer address>})
 *       and receives;</li>
 *   <li>{@code client HOST PORT BYTES}: connects and sends BYTES seeded-random bytes;</li>
 *   <li>{@code server-send PORT BYTES}: prints READY, accepts one connection and sends;</li>
 *   <li>{@code client-receive HOST PORT}: connects and receives.</li>
 * </ul>
 */
public final class LabPeer {
    private static final int MIB = 1 << 20;

    private LabPeer() {
    }

    public static void main(String[] args) throws Exception {
        boolean serves = args[0].startsWith("server");
        try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(serves ? Integer.parseInt(args[1]) : 0),
                UdtConfig.defaults())) {
            UdtConnection c;
            if (serves) {
                System.out.println("READY " + endpoint.localAddress());
                c = endpoint.accept(Duration.ofSeconds(60));
                System.out.println("ACCEPTED " + c.remoteAddress());
            } else {
                c = endpoint.connect(new InetSocketAddress(args[1], Integer.parseInt(args[2])), Duration.ofSeconds(20));
            }
            switch (args[0]) {
                case "server", "client-receive" -> receive(c);
                case "client" -> send(c, Long.parseLong(args[3]));
                case "server-send" -> send(c, Long.parseLong(args[2]));
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        }
    }

    private static void receive(UdtConnection c) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long bytes = 0;
        long longestGapNanos = 0;
        long last = System.nanoTime();
        try {
            while (true) {
                byte[] m = c.receive();
                long now = System.nanoTime();
                longestGapNanos = Math.max(longestGapNanos, now - last);
                last = now;
                sha.update(m);
                if ((bytes + m.length) / MIB > bytes / MIB) {
                    System.out.println("AT " + (bytes + m.length));
                }
                bytes += m.length;
            }
        } catch (EOFException end) {
            System.out.printf("RECEIVED %d %s %.1f %s %s%n", bytes, HexFormat.of().formatHex(sha.digest()),
                    longestGapNanos / 1e6, c.remoteAddress(), c.stats());
        }
        c.close();
    }

    private static void send(UdtConnection c, long total) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long start = System.nanoTime();
        Random random = new Random(42);
        byte[] chunk = new byte[16 * 1024];
        long sent = 0;
        while (sent < total) {
            int n = (int) Math.min(chunk.length, total - sent);
            random.nextBytes(chunk);
            byte[] m = java.util.Arrays.copyOf(chunk, n);
            sha.update(m);
            c.send(m);
            sent += n;
        }
        c.close();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println("SENT " + sent + " " + HexFormat.of().formatHex(sha.digest()) + " " + seconds + " "
                + c.remoteAddress() + " " + c.stats());
    }
}
