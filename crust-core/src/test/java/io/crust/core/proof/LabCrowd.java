package io.crust.core.proof;

import io.crust.core.handshake.HandshakeParams;
import io.crust.core.wire.WireCodec;
import io.crust.core.wire.WireMessage;
import io.crust.nat.HostPort;
import io.crust.nat.IpLiteral;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A crowd of fresh identities for the NAT lab, run in a lab namespace by {@code CrowdLabTest}: {@code COUNT}
 * raw peers (a real Noise handshake each, then silence but for heartbeats) dial {@code TARGET} over TCP,
 * {@value #AT_ONCE} at a time, their source addresses taken in turn from the {@code SOURCE} list, and stay
 * connected until standard input closes.
 *
 * <p>Arguments: {@code TARGET(ip:port) NETWORK COUNT SOURCE...}. Prints {@code CROWD connected C refused R}
 * once every dial has ended; to {@code status} on standard input it answers {@code STATUS open O closed X}
 * (closed: the node ended the connection, as it does to make room).
 */
public final class LabCrowd {
    private static final int AT_ONCE = 16;
    private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(1);

    private LabCrowd() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = HostPort.literal(args[0]);
        String network = args[1];
        int count = Integer.parseInt(args[2]);
        List<InetAddress> sources = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            sources.add(IpLiteral.parse(args[i]));
        }
        List<RawPeer> crowd = new CopyOnWriteArrayList<>();
        AtomicInteger refused = new AtomicInteger();
        try (ExecutorService dials = Executors.newFixedThreadPool(AT_ONCE, Thread.ofVirtual().factory())) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                InetAddress from = sources.get(i % sources.size());
                all.add(dials.submit(() -> {
                    try {
                        crowd.add(RawPeer.connect(target, network, HandshakeParams.DEFAULT_MAX_MESSAGE_BYTES, from));
                    } catch (IOException e) {
                        refused.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        say("CROWD connected " + crowd.size() + " refused " + refused.get());
        List<RawPeer> closed = new CopyOnWriteArrayList<>();
        for (RawPeer r : crowd) {
            Thread.ofVirtual().name("lab-crowd-reader").start(() -> {
                if (r.awaitClosedByRemote(Duration.ofHours(1))) {
                    closed.add(r);
                }
            });
        }
        Thread.ofVirtual().name("lab-crowd-heartbeats").start(() -> heartbeat(crowd));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.strip().equals("status")) {
                say("STATUS open " + (crowd.size() - closed.size()) + " closed " + closed.size());
            }
        }
        for (RawPeer r : crowd) {
            r.close();
        }
    }

    /** Keeps every connection alive past the node's heartbeat timeout (one the node closed just fails its send). */
    private static void heartbeat(List<RawPeer> crowd) {
        byte[] heartbeat = new WireCodec(HandshakeParams.DEFAULT_MAX_MESSAGE_BYTES).encode(new WireMessage.Heartbeat());
        while (true) {
            for (RawPeer r : crowd) {
                try {
                    r.channel().send(heartbeat);
                } catch (IOException closedByTheNode) {
                    // its reader has seen or will see the end
                }
            }
            try {
                Thread.sleep(HEARTBEAT_EVERY); // a pace, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
