package io.crust.testkit.lab.probe;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * Measures a path's round-trip time with UDP pings (the lab machines have no {@code ping}).
 * <pre>
 *   RttProbe echo &lt;bind-ip:port&gt;          answers every datagram with its own bytes; prints READY
 *   RttProbe ping &lt;echo-ip:port&gt; &lt;count&gt;  prints RTT min=&lt;ms&gt; avg=&lt;ms&gt; max=&lt;ms&gt; replies=&lt;n&gt;
 * </pre>
 * Pings go one at a time, 20 ms apart, each waiting up to 2 s for its echo.
 */
public final class RttProbe {

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("echo")) {
            try (DatagramSocket socket = new DatagramSocket(Probes.parse(args[1]))) {
                System.out.println("READY");
                while (true) {
                    Probes.Received r = Probes.receive(socket, Duration.ofHours(1));
                    if (r != null) {
                        Probes.send(socket, r.sender(), r.text());
                    }
                }
            }
        } else if (args.length == 3 && args[0].equals("ping")) {
            ping(Probes.parse(args[1]), Integer.parseInt(args[2]));
        } else {
            System.err.println("usage: RttProbe echo <ip:port> | ping <ip:port> <count>");
            System.exit(2);
        }
    }

    private static void ping(InetSocketAddress echo, int count) throws Exception {
        double minMs = Double.MAX_VALUE;
        double maxMs = 0;
        double sumMs = 0;
        int replies = 0;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(0))) {
            for (int i = 0; i < count; i++) {
                String text = "ping " + i;
                long sent = System.nanoTime();
                Probes.send(socket, echo, text);
                long deadline = sent + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() - deadline < 0) {
                    Probes.Received r = Probes.receive(socket, Duration.ofNanos(deadline - System.nanoTime()));
                    if (r != null && r.text().equals(text)) {
                        double ms = (System.nanoTime() - sent) / 1e6;
                        minMs = Math.min(minMs, ms);
                        maxMs = Math.max(maxMs, ms);
                        sumMs += ms;
                        replies++;
                        break;
                    }
                }
                Thread.sleep(20);
            }
        }
        System.out.println(String.format(Locale.ROOT, "RTT min=%.2f avg=%.2f max=%.2f replies=%d",
                replies == 0 ? 0 : minMs, replies == 0 ? 0 : sumMs / replies, maxMs, replies));
    }
}
