package io.crust.bench;

import io.crust.udt.EndpointStats;
import io.crust.udt.UdtConfig;
import io.crust.udt.UdtConnection;
import io.crust.udt.UdtEndpoint;
import io.crust.udt.packet.InitialPacket;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hostile traffic at a crust-udt endpoint on loopback, while a legitimate client keeps using it.
 *
 * <p>{@code junk SECONDS}: random datagrams (1 to 1500 bytes; half of them start with a crust-udt
 * first byte so they pass the demultiplexer and reach the decoders) from 64 source sockets.
 * {@code handshakes SECONDS}: well-formed INITIAL packets without a cookie, each from one of 512
 * source ports, as a spoofing attacker would send them. During either flood a legitimate client
 * connects and moves 1 MiB through an echo, repeatedly. Printed: datagrams and bytes sent by the
 * attacker and received back by it (amplification), the endpoint's counters, heap after GC before
 * and after, and how many legitimate sessions succeeded.
 */
public final class Flood {
    private static final int LEGIT_BYTES = 1 << 20;

    private Flood() {
    }

    public static void main(String[] args) throws Exception {
        boolean handshakes = args[0].equals("handshakes");
        long seconds = Long.parseLong(args[1]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (UdtEndpoint server = UdtEndpoint.bind(new InetSocketAddress(loopback, 0), UdtConfig.defaults())) {
            InetSocketAddress target = server.localAddress();
            Thread acceptor = Thread.ofVirtual().name("bench-echo-acceptor").start(() -> echoLoop(server));
            long heapBefore = heapAfterGc();
            int sockets = handshakes ? 512 : 64;
            List<DatagramChannel> attackers = new ArrayList<>();
            for (int i = 0; i < sockets; i++) {
                DatagramChannel c = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
                c.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                c.configureBlocking(false);
                attackers.add(c);
            }
            AtomicLong sentDatagrams = new AtomicLong();
            AtomicLong sentBytes = new AtomicLong();
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            Thread attacker = Thread.ofPlatform().name("bench-attacker").start(() -> {
                SplittableRandom random = new SplittableRandom(7);
                ByteBuffer out = ByteBuffer.allocate(2048);
                int k = 0;
                while (System.nanoTime() < deadline) {
                    out.clear();
                    if (handshakes) {
                        new InitialPacket(1, false, random.nextLong(), new byte[0]).encodeTo(out);
                    } else {
                        int n = 1 + random.nextInt(1500);
                        for (int i = 0; i < n; i++) {
                            out.put((byte) random.nextInt(256));
                        }
                        if (random.nextBoolean()) {
                            out.put(0, (byte) (0xD0 | random.nextInt(16)));
                        }
                    }
                    out.flip();
                    try {
                        int n = attackers.get(k++ % attackers.size()).send(out, target);
                        sentBytes.addAndGet(n);
                        sentDatagrams.incrementAndGet();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            int legitOk = 0;
            int legitFailed = 0;
            long legitNanos = 0;
            while (System.nanoTime() < deadline) {
                long t = System.nanoTime();
                try (UdtEndpoint client = UdtEndpoint.bind(new InetSocketAddress(loopback, 0), UdtConfig.defaults())) {
                    UdtConnection c = client.connect(target, Duration.ofSeconds(10));
                    byte[] chunk = new byte[64 * 1024];
                    for (int sent = 0; sent < LEGIT_BYTES; sent += chunk.length) {
                        c.send(chunk);
                        if (c.receive(Duration.ofSeconds(10)).length != chunk.length) {
                            throw new IllegalStateException("short echo");
                        }
                    }
                    c.close();
                    legitOk++;
                    legitNanos += System.nanoTime() - t;
                } catch (Exception e) {
                    legitFailed++;
                }
            }
            attacker.join();
            long receivedBack = 0;
            long receivedBackDatagrams = 0;
            ByteBuffer in = ByteBuffer.allocate(65_536);
            Thread.sleep(500);
            for (DatagramChannel c : attackers) {
                while (true) {
                    in.clear();
                    if (c.receive(in) == null) {
                        break;
                    }
                    receivedBack += in.position();
                    receivedBackDatagrams++;
                }
                c.close();
            }
            long heapAfter = heapAfterGc();
            EndpointStats stats = server.stats();
            Figures.of("flood").put("flood", handshakes ? "spoofed-initials" : "junk").put("seconds", seconds)
                    .put("attackerDatagrams", sentDatagrams.get()).put("attackerBytes", sentBytes.get())
                    .put("repliesToAttacker", receivedBackDatagrams).put("replyBytesToAttacker", receivedBack)
                    .put("amplification", sentBytes.get() == 0 ? 0.0 : (double) receivedBack / sentBytes.get())
                    .put("legitSessionsOk", legitOk).put("legitSessionsFailed", legitFailed)
                    .put("legitMeanMillis", legitOk == 0 ? 0.0 : legitNanos / 1e6 / legitOk)
                    .put("heapAfterGcBeforeMiB", heapBefore / 1048576.0).put("heapAfterGcAfterMiB", heapAfter / 1048576.0)
                    .put("endpointStats", stats.toString()).print();
            acceptor.interrupt();
        }
        System.exit(0);
    }

    private static void echoLoop(UdtEndpoint server) {
        while (true) {
            UdtConnection c;
            try {
                c = server.accept(Duration.ofMinutes(10));
            } catch (Exception e) {
                return;
            }
            Thread.ofVirtual().start(() -> {
                try (c) {
                    while (true) {
                        c.send(c.receive());
                    }
                } catch (Exception end) {
                    // the client closed, or the flood ended the session: counted on the client side
                }
            });
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
