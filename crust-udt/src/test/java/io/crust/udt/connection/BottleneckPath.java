package io.crust.udt.connection;

import io.crust.testkit.ManualClock;
import io.crust.udt.UdtConfig;
import io.crust.udt.packet.PacketType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A path with one bottleneck, simulated on a {@link ManualClock}, for congestion-control tests: any
 * number of bulk flows (client to server) share a link of a fixed rate behind a FIFO queue of a fixed
 * size (tail drop: a packet that does not fit is dropped), after which every packet travels for a fixed
 * propagation delay. A seeded random loss drops packets before they reach the queue, as a lossy radio
 * hop would. ACKs come back over the same delay (plus up to 0.5 ms of jitter) with no queue and no loss.
 *
 * <pre>
 *  clients ──random loss──▶ [ FIFO queue | link at rate ] ──delay──▶ servers
 *  clients ◀─────────────────────────── delay ──────────────────────── servers
 * </pre>
 *
 * The queue needs no events of its own: a packet accepted into it leaves the link at
 * {@code max(now, previous departure) + size / rate}, which also fixes its arrival time.
 */
final class BottleneckPath {
    /** One client-to-server bulk transfer. */
    final class Flow {
        final int index;
        final UdtConfig config;
        final ConnectionState client;
        ConnectionState server;
        long receivedBytes;

        Flow(int index, UdtConfig config, ConnectionState client) {
            this.index = index;
            this.config = config;
            this.client = client;
        }
    }

    private record Arrival(long atNanos, long sequence, Flow flow, boolean toServer, byte[] bytes) {}

    private record Queued(long departureNanos, int bytes) {}

    final ManualClock clock = new ManualClock(1_000_000_000L);
    private final long rateBytesPerSecond;
    private final long delayNanos;
    private final long queueLimitBytes;
    private final double lossProbability;
    private final Random random;
    private final List<Flow> flows = new ArrayList<>();
    private final PriorityQueue<Arrival> arrivals = new PriorityQueue<>((a, b) -> a.atNanos != b.atNanos
            ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.sequence, b.sequence));
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final ByteBuffer out = ByteBuffer.allocate(UdtConfig.MAX_UDP_PAYLOAD_BYTES);
    private final byte[] appChunk = new byte[64 * 1024];
    private final byte[] readBuffer = new byte[64 * 1024];
    private long sequence;
    private long queuedBytes;
    private long lastDepartureNanos;
    private long lastAckArrivalNanos;
    private static final long ACK_JITTER_NANOS = 500_000;

    // Counters, all since the start.
    long offeredBytes;      // reached the bottleneck (before random loss)
    long randomDrops;
    long overflowDrops;
    long packetsOffered;
    double queueByteNanos;  // integral of the queue's backlog over time
    long queueNearlyFullNanos;
    long simulatedNanos;

    /**
     * @param rateBitsPerSecond the bottleneck's rate
     * @param rtt the round trip without queueing (twice the one-way delay)
     * @param queuePackets the queue's size, in 1,500-byte packets
     */
    BottleneckPath(long rateBitsPerSecond, Duration rtt, int queuePackets, double lossProbability, long seed) {
        this.rateBytesPerSecond = rateBitsPerSecond / 8;
        this.delayNanos = rtt.toNanos() / 2;
        this.queueLimitBytes = queuePackets * 1500L;
        this.lossProbability = lossProbability;
        this.random = new Random(seed);
    }

    /** Starts a flow now; it sends as fast as its controller lets it for the rest of the run. */
    Flow addFlow(UdtConfig config) {
        int index = flows.size();
        Flow flow = new Flow(index, config, ConnectionState.client(config, 0x1000 + index, false, null, clock.nanoTime(), 1000));
        flows.add(flow);
        return flow;
    }

    /** Runs the simulation for {@code duration}. */
    void run(Duration duration) {
        long end = clock.nanoTime() + duration.toNanos();
        while (clock.nanoTime() < end) {
            long now = clock.nanoTime();
            deliverDue(now);
            long next = end;
            for (Flow flow : flows) {
                next = Math.min(next, serve(flow, now));
            }
            if (!arrivals.isEmpty()) {
                next = Math.min(next, arrivals.peek().atNanos);
            }
            next = Math.max(next, now + 1_000); // at least 1 µs, as a real clock would move
            long backlog = backlogBytes(now);
            queueByteNanos += (double) backlog * (next - now);
            if (backlog > 0.8 * queueLimitBytes) {
                queueNearlyFullNanos += next - now;
            }
            simulatedNanos += next - now;
            clock.advanceTo(next);
        }
    }

    private void deliverDue(long now) {
        while (!arrivals.isEmpty() && arrivals.peek().atNanos <= now) {
            Arrival a = arrivals.poll();
            Flow flow = a.flow;
            if (a.toServer) {
                if (flow.server == null && PacketType.typeOf(a.bytes[0] & 0xFF) == PacketType.INITIAL) {
                    flow.server = ConnectionState.server(flow.config, 0x2000 + flow.index,
                            0x1000 + flow.index, null, now, 90_000);
                }
                if (flow.server != null) {
                    flow.server.onDatagram(ByteBuffer.wrap(a.bytes), now);
                }
            } else {
                flow.client.onDatagram(ByteBuffer.wrap(a.bytes), now);
            }
        }
    }

    /** Timers, application and output of one flow; returns its next deadline. */
    private long serve(Flow flow, long now) {
        ConnectionState client = flow.client;
        ConnectionState server = flow.server;
        client.onTimers(now);
        while (client.write(appChunk, 0, appChunk.length) > 0) {
            // the application always has more to send
        }
        int n;
        while (server != null && (n = server.read(readBuffer, 0, readBuffer.length)) > 0) {
            flow.receivedBytes += n;
        }
        if (server != null) {
            server.onTimers(now);
        }
        while ((n = client.poll(out, now)) > 0) {
            toBottleneck(flow, copy(n), now);
        }
        while (server != null && (n = server.poll(out, now)) > 0) {
            // Up to 0.5 ms of jitter, order kept: real ACK paths are not clockwork, and a perfectly
            // regular one phase-locks paced flows to the queue's departures (one flow always finds
            // the queue full).
            long at = Math.max(now + delayNanos + random.nextLong(ACK_JITTER_NANOS), lastAckArrivalNanos);
            lastAckArrivalNanos = at;
            arrivals.add(new Arrival(at, sequence++, flow, false, copy(n)));
        }
        long next = client.nextDeadlineNanos();
        if (server != null) {
            next = Math.min(next, server.nextDeadlineNanos());
        }
        return next;
    }

    private byte[] copy(int n) {
        byte[] bytes = new byte[n];
        out.flip().get(bytes);
        return bytes;
    }

    private void toBottleneck(Flow flow, byte[] bytes, long now) {
        offeredBytes += bytes.length;
        packetsOffered++;
        if (random.nextDouble() < lossProbability) {
            randomDrops++;
            return;
        }
        if (backlogBytes(now) + bytes.length > queueLimitBytes) {
            overflowDrops++;
            return;
        }
        long departure = Math.max(now, lastDepartureNanos) + bytes.length * 1_000_000_000L / rateBytesPerSecond;
        lastDepartureNanos = departure;
        queue.add(new Queued(departure, bytes.length));
        queuedBytes += bytes.length;
        arrivals.add(new Arrival(departure + delayNanos, sequence++, flow, true, bytes));
    }

    /** Bytes accepted by the queue that have not finished crossing the link. */
    private long backlogBytes(long now) {
        while (!queue.isEmpty() && queue.peek().departureNanos <= now) {
            queuedBytes -= queue.poll().bytes;
        }
        return queuedBytes;
    }

    Flow flow(int index) {
        return flows.get(index);
    }

    long queueLimitBytes() {
        return queueLimitBytes;
    }

    long rateBytesPerSecond() {
        return rateBytesPerSecond;
    }

    /** Megabits per second of {@code bytes} over {@code nanos}. */
    static double mbps(long bytes, long nanos) {
        return bytes * 8e3 / nanos;
    }
}
