package io.crust.bench;

import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

/**
 * 64-byte ping-pong: {@code server udp|udt HOST PORT} echoes; {@code client udp|udt HOST PORT COUNT [WARMUP]}
 * sends one message, waits for its echo, repeats, and prints p50/p99/mean round trip in microseconds
 * (after WARMUP round trips that are not counted, by default a tenth of COUNT).
 */
public final class RoundTrip {
    static final int MESSAGE_BYTES = 64;

    private RoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress host = InetAddress.getByName(args[2]);
        int port = Integer.parseInt(args[3]);
        boolean udt = args[1].startsWith("udt");
        // udt: the JDK's datagram calls; udt-fast: the Linux fast path where the JVM grants native access
        UdtConfig config = args[1].equals("udt-fast") ? UdtConfig.defaults() : UdtConfig.builder().fastPath(false).build();
        if (args[0].equals("server")) {
            if (udt) {
                try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(host, port), config)) {
                    System.out.println("READY " + port);
                    try (UdtConnection c = endpoint.accept(Duration.ofMinutes(5))) {
                        while (true) {
                            byte[] m;
                            try {
                                m = c.receive();
                            } catch (java.io.EOFException end) {
                                break;
                            }
                            c.send(m);
                        }
                    }
                    System.out.println("server " + endpoint.datagramPath() + " " + endpoint.stats());
                }
            } else {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, port))) {
                    System.out.println("READY " + port);
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    while (true) {
                        p.setLength(2048);
                        socket.receive(p);
                        if (p.getLength() == 1) {
                            break;
                        }
                        socket.send(p);
                    }
                }
            }
            return;
        }
        int count = Integer.parseInt(args[4]);
        // Round trips before the measured ones, so that the JIT has compiled both ends' hot paths
        // (C2 compiles a method after about 10,000 invocations or loop passes).
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : count / 10;
        long[] micros = new long[count];
        String stats = "";
        byte[] message = new byte[MESSAGE_BYTES];
        InetSocketAddress server = new InetSocketAddress(host, port);
        if (udt) {
            try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(host.isLoopbackAddress() ? host
                    : InetAddress.getByName("0.0.0.0"), 0), config)) {
                UdtConnection c = endpoint.connect(server, Duration.ofSeconds(30));
                for (int i = -warmup; i < count; i++) {
                    long t = System.nanoTime();
                    c.send(message);
                    c.receive();
                    if (i >= 0) {
                        micros[i] = (System.nanoTime() - t) / 1000;
                    }
                }
                stats = endpoint.datagramPath() + " " + c.stats() + " " + endpoint.stats();
                c.close();
            }
        } else {
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.setSoTimeout(2000);
                DatagramPacket out = new DatagramPacket(message, message.length, server);
                DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
                int lost = 0;
                for (int i = -warmup; i < count; i++) {
                    long t = System.nanoTime();
                    socket.send(out);
                    try {
                        socket.receive(in);
                    } catch (java.net.SocketTimeoutException e) {
                        lost++;
                        i--;
                        continue;
                    }
                    if (i >= 0) {
                        micros[i] = (System.nanoTime() - t) / 1000;
                    }
                }
                socket.send(new DatagramPacket(new byte[1], 1, server));
                if (lost > 0) {
                    System.err.println(lost + " raw UDP pings lost and repeated");
                }
            }
        }
        Arrays.sort(micros);
        Figures.of("round-trip").put("transport", args[1]).put("count", count).put("warmup", warmup)
                .put("p50Micros", micros[count / 2]).put("p99Micros", micros[(int) (count * 0.99)])
                .put("meanMicros", Arrays.stream(micros).average().orElse(0)).put("stats", stats).print();
    }
}
