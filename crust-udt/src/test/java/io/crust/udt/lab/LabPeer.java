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
 * A tiny crust-udt peer for lab tests, run in a lab namespace as its own JVM.
 * {@code server PORT}: prints READY, accepts one connection, reads it to the end and prints
 * {@code RECEIVED <bytes> <sha256>}. {@code client HOST PORT BYTES}: sends BYTES seeded-random bytes,
 * closes gracefully and prints {@code SENT <bytes> <sha256> <seconds> <stats>}.
 */
public final class LabPeer {
    private LabPeer() {
    }

    public static void main(String[] args) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        if (args[0].equals("server")) {
            try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(Integer.parseInt(args[1])), UdtConfig.defaults())) {
                System.out.println("READY " + endpoint.localAddress());
                UdtConnection c = endpoint.accept(Duration.ofSeconds(60));
                long bytes = 0;
                try {
                    while (true) {
                        byte[] m = c.receive();
                        sha.update(m);
                        bytes += m.length;
                    }
                } catch (EOFException end) {
                    System.out.println("RECEIVED " + bytes + " " + HexFormat.of().formatHex(sha.digest()));
                }
                c.close();
            }
        } else {
            long total = Long.parseLong(args[3]);
            try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(0), UdtConfig.defaults())) {
                UdtConnection c = endpoint.connect(new InetSocketAddress(args[1], Integer.parseInt(args[2])), Duration.ofSeconds(20));
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
                System.out.println("SENT " + sent + " " + HexFormat.of().formatHex(sha.digest()) + " " + seconds + " " + c.stats());
            }
        }
    }
}
