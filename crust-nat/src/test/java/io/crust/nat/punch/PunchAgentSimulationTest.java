package io.crust.nat.punch;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.Candidate;
import io.crust.nat.PunchOptions;
import io.crust.nat.PunchOffer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Two {@link PunchAgent}s behind modelled NATs, on a simulated clock: no sockets, no sleeping,
 * the same run every time. The NAT model keeps what RFC 4787 describes: a mapping per internal
 * endpoint (cone) or per internal endpoint and destination (symmetric, random ports), and
 * address-and-port-dependent filtering.
 */
class PunchAgentSimulationTest {
    private static final long LATENCY_NANOS = 5_000_000L;
    private static final int LOW_PORT = 20_000;
    private static final int HIGH_PORT = 20_999;

    /** A NAT with address-and-port-dependent filtering; mapping per endpoint or per destination. */
    static final class ModelNat {
        final InetAddress publicIp;
        final boolean symmetric;
        final SplittableRandom random;
        final Map<String, Integer> mappings = new HashMap<>();
        final Map<Integer, InetSocketAddress> internalOf = new HashMap<>();
        final Map<Integer, Set<InetSocketAddress>> contacted = new HashMap<>();

        ModelNat(String publicIp, boolean symmetric, long seed) throws Exception {
            this.publicIp = InetAddress.getByName(publicIp);
            this.symmetric = symmetric;
            this.random = new SplittableRandom(seed);
        }

        InetSocketAddress outbound(InetSocketAddress internal, InetSocketAddress remote) {
            String key = internal + (symmetric ? ">" + remote : "");
            int port = mappings.computeIfAbsent(key, k -> {
                int p = symmetric ? LOW_PORT + random.nextInt(HIGH_PORT - LOW_PORT + 1) : internal.getPort();
                while (internalOf.containsKey(p)) {
                    p = LOW_PORT + random.nextInt(HIGH_PORT - LOW_PORT + 1);
                }
                internalOf.put(p, internal);
                return p;
            });
            contacted.computeIfAbsent(port, p -> new HashSet<>()).add(remote);
            return new InetSocketAddress(publicIp, port);
        }

        InetSocketAddress inbound(int port, InetSocketAddress from) {
            Set<InetSocketAddress> allowed = contacted.get(port);
            return allowed != null && allowed.contains(from) ? internalOf.get(port) : null;
        }
    }

    record Packet(long atNanos, int toSide, InetSocketAddress to, InetSocketAddress from, ByteBuffer bytes) {
    }

    /** One peer: its agent, NAT, and internal socket addresses (socket 0 first). */
    record Side(PunchAgent agent, ModelNat nat, List<InetSocketAddress> sockets) {
        int socketOf(InetSocketAddress internal) {
            return sockets.indexOf(internal);
        }
    }

    @Test
    void coneSideFindsTheSymmetricSideByBirthdayProbing() throws Exception {
        ModelNat coneNat = new ModelNat("198.51.100.1", false, 1);
        ModelNat symmetricNat = new ModelNat("203.0.113.9", true, 2);
        InetSocketAddress coneHost = new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 5000);
        // What each side's STUN server would have seen.
        InetSocketAddress coneReflexive = coneNat.outbound(coneHost, stunServer());
        InetSocketAddress symReflexive = symmetricNat.outbound(
                new InetSocketAddress(InetAddress.getByName("10.1.0.2"), 6000), stunServer());
        PunchOffer coneOffer = PunchOffer.create(List.of(Candidate.serverReflexive(coneReflexive)), false);
        PunchOffer symOffer = PunchOffer.create(List.of(Candidate.serverReflexive(symReflexive)), true);
        PunchOptions options = PunchOptions.defaults().withBirthday(64, 1000);
        Side cone = new Side(new PunchAgent(coneOffer, symOffer, options, 0, LOW_PORT, HIGH_PORT,
                new SplittableRandom(3), 0), coneNat, List.of(coneHost));
        List<InetSocketAddress> symSockets = new ArrayList<>();
        for (int i = 0; i <= 64; i++) {
            symSockets.add(new InetSocketAddress(InetAddress.getByName("10.1.0.2"), 6000 + i));
        }
        Side sym = new Side(new PunchAgent(symOffer, coneOffer, options, 64, LOW_PORT, HIGH_PORT,
                new SplittableRandom(4), 0), symmetricNat, symSockets);

        long endNanos = run(cone, sym);

        assertThat(cone.agent().outcome().connected()).as(cone.agent().outcome().reason()).isTrue();
        assertThat(sym.agent().outcome().connected()).as(sym.agent().outcome().reason()).isTrue();
        assertThat(sym.agent().outcome().socket()).as("found on a birthday port").isPositive();
        assertThat(sym.agent().outcome().remote()).isEqualTo(coneReflexive);
        InetSocketAddress symExternal = symmetricNat.outbound(symSockets.get(sym.agent().outcome().socket()), coneReflexive);
        assertThat(cone.agent().outcome().remote()).isEqualTo(symExternal);
        assertThat(cone.agent().probesSent()).isLessThanOrEqualTo(1000 + 500);
        assertThat(Duration.ofNanos(endNanos)).isLessThan(options.timeout());
    }

    @Test
    void twoSymmetricSidesGiveUpAfterTheWindowWithAClearReason() throws Exception {
        ModelNat natA = new ModelNat("198.51.100.1", true, 1);
        ModelNat natB = new ModelNat("203.0.113.9", true, 2);
        InetSocketAddress hostA = new InetSocketAddress(InetAddress.getByName("10.0.0.2"), 5000);
        InetSocketAddress hostB = new InetSocketAddress(InetAddress.getByName("10.1.0.2"), 6000);
        PunchOffer offerA = PunchOffer.create(List.of(Candidate.serverReflexive(natA.outbound(hostA, stunServer()))), true);
        PunchOffer offerB = PunchOffer.create(List.of(Candidate.serverReflexive(natB.outbound(hostB, stunServer()))), true);
        PunchOptions options = PunchOptions.defaults().withBothSymmetricWindow(Duration.ofSeconds(3));
        Side a = new Side(new PunchAgent(offerA, offerB, options, 0, LOW_PORT, HIGH_PORT, new SplittableRandom(5), 0),
                natA, List.of(hostA));
        Side b = new Side(new PunchAgent(offerB, offerA, options, 0, LOW_PORT, HIGH_PORT, new SplittableRandom(6), 0),
                natB, List.of(hostB));

        long endNanos = run(a, b);

        assertThat(a.agent().outcome().connected()).isFalse();
        assertThat(a.agent().outcome().reason()).startsWith("no direct path: both peers are behind NATs");
        assertThat(Duration.ofNanos(endNanos)).isEqualTo(Duration.ofSeconds(3));
    }

    /** Runs both agents on a simulated clock until both have an outcome; returns the end time. */
    private static long run(Side... sides) {
        PriorityQueue<Packet> inFlight = new PriorityQueue<>((x, y) -> Long.compare(x.atNanos(), y.atNanos()));
        long now = 0;
        while (sides[0].agent().outcome() == null || sides[1].agent().outcome() == null) {
            for (int s = 0; s < 2; s++) {
                for (PunchAgent.Send send : sides[s].agent().poll(now)) {
                    transmit(sides, s, send, now, inFlight);
                }
            }
            if (sides[0].agent().outcome() != null && sides[1].agent().outcome() != null) {
                break;
            }
            long next = Math.min(wake(sides[0].agent(), now), wake(sides[1].agent(), now));
            if (!inFlight.isEmpty()) {
                next = Math.min(next, inFlight.peek().atNanos());
            }
            now = Math.max(now, next);
            while (!inFlight.isEmpty() && inFlight.peek().atNanos() <= now) {
                Packet p = inFlight.poll();
                Side to = sides[p.toSide()];
                InetSocketAddress internal = to.nat().inbound(p.to().getPort(), p.from());
                if (internal == null || !p.to().getAddress().equals(to.nat().publicIp)) {
                    continue; // filtered by the NAT, or sent to nobody
                }
                for (PunchAgent.Send send : to.agent().onDatagram(to.socketOf(internal), p.bytes(), p.from(), now)) {
                    transmit(sides, p.toSide(), send, now, inFlight);
                }
            }
        }
        return now;
    }

    private static long wake(PunchAgent agent, long now) {
        return agent.outcome() != null ? Long.MAX_VALUE : Math.max(now + 1, agent.nextWakeNanos());
    }

    private static void transmit(Side[] sides, int fromSide, PunchAgent.Send send, long now, PriorityQueue<Packet> inFlight) {
        Side from = sides[fromSide];
        InetSocketAddress source = from.nat().outbound(from.sockets().get(send.socket()), send.to());
        inFlight.add(new Packet(now + LATENCY_NANOS, 1 - fromSide, send.to(), source, send.bytes()));
    }

    private static InetSocketAddress stunServer() throws Exception {
        return new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 3478);
    }
}
