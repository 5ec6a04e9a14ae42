package io.crust.udt.connection;

import io.crust.testkit.DatagramImpairment;
import io.crust.testkit.InMemoryNetwork;
import io.crust.testkit.ManualClock;
import io.crust.udt.UdtConfig;
import io.crust.udt.packet.PacketType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Two {@link ConnectionState}s joined by an {@link InMemoryNetwork} on a {@link ManualClock}: the
 * whole protocol without sockets or threads, so every run is the same. The listener side's cookie
 * exchange belongs to the endpoint, so here the server state is created when the first INITIAL arrives.
 * Each datagram sent is logged with its time and destination, and a test may drop chosen datagrams.
 * {@link #rebindClient} plays a NAT in front of the client that forgets its mapping: the client's
 * datagrams then leave from a new address, and what is sent to the old one is lost.
 */
final class ConnectionPair {
    static final InetSocketAddress CLIENT_ADDRESS = new InetSocketAddress("10.0.0.1", 4000);
    static final InetSocketAddress SERVER_ADDRESS = new InetSocketAddress("10.0.0.2", 5000);
    static final long CLIENT_ID = 0x1111_2222_3333_4444L;
    static final long SERVER_ID = 0x5555_6666_7777_0001L;

    /** A datagram as it left a side. */
    record Sent(long atNanos, boolean fromClient, InetSocketAddress to, byte[] bytes) {
        int type() {
            return PacketType.typeOf(bytes[0] & 0xFF);
        }

        long packetNumber() {
            return ByteBuffer.wrap(bytes).getLong(9);
        }
    }

    final ManualClock clock = new ManualClock(1_000_000_000L);
    final InMemoryNetwork network = new InMemoryNetwork(clock);
    /** Where the client's datagrams leave from (its NAT mapping); {@link #rebindClient} replaces it. */
    InMemoryNetwork.Endpoint clientPort = network.bind(CLIENT_ADDRESS);
    final InMemoryNetwork.Endpoint serverPort = network.bind(SERVER_ADDRESS);
    final UdtConfig config;
    final ConnectionState client;
    ConnectionState server;
    final List<Sent> sent = new ArrayList<>();
    Predicate<Sent> drop = s -> false;
    private final ByteBuffer out = ByteBuffer.allocate(UdtConfig.MAX_UDP_PAYLOAD_BYTES);

    ConnectionPair(UdtConfig config) {
        this.config = config;
        this.client = ConnectionState.client(config, CLIENT_ID, false, SERVER_ADDRESS, clock.nanoTime(), 1000);
    }

    ConnectionPair impair(DatagramImpairment clientToServer, DatagramImpairment serverToClient) {
        network.impair(CLIENT_ADDRESS, SERVER_ADDRESS, clientToServer);
        network.impair(SERVER_ADDRESS, CLIENT_ADDRESS, serverToClient);
        return this;
    }

    /** One round: deliver due datagrams, run timers, send everything each side wants to send now. */
    void step() {
        long now = clock.nanoTime();
        for (InMemoryNetwork.Datagram d : serverPort.drain()) {
            if (server == null && PacketType.typeOf(d.payload()[0] & 0xFF) == PacketType.INITIAL) {
                server = ConnectionState.server(config, SERVER_ID, CLIENT_ID, CLIENT_ADDRESS, now, 90_000);
            }
            if (server != null) {
                server.onDatagram(ByteBuffer.wrap(d.payload()), d.sender(), now);
            }
        }
        for (InMemoryNetwork.Datagram d : clientPort.drain()) {
            client.onDatagram(ByteBuffer.wrap(d.payload()), d.sender(), now);
        }
        client.onTimers(now);
        if (server != null) {
            server.onTimers(now);
        }
        flush(client, true, now);
        if (server != null) {
            flush(server, false, now);
        }
    }

    private void flush(ConnectionState state, boolean fromClient, long now) {
        int n;
        while ((n = state.poll(out, now)) > 0) {
            byte[] bytes = new byte[n];
            out.flip().get(bytes);
            Sent s = new Sent(now, fromClient, state.destination(), bytes);
            sent.add(s);
            if (!drop.test(s)) {
                (fromClient ? clientPort : serverPort).send(bytes, state.destination());
            }
        }
    }

    /**
     * The client's NAT forgets its mapping and makes a new one at {@code newAddress}: the client's
     * next datagrams come from there, and datagrams to the old address are dropped from now on.
     */
    void rebindClient(InetSocketAddress newAddress) {
        InMemoryNetwork.Endpoint old = clientPort;
        clientPort = network.bind(newAddress);
        old.close();
    }

    /** Steps and advances the clock to the next event until {@code done} or {@code limit} of simulated time. */
    boolean runUntil(BooleanSupplier done, Duration limit) {
        long end = clock.nanoTime() + limit.toNanos();
        while (clock.nanoTime() <= end) {
            network.deliverDue();
            step();
            if (done.getAsBoolean()) {
                return true;
            }
            step(); // the condition may have written or read, as an application thread would
            long next = client.nextDeadlineNanos();
            if (server != null) {
                next = Math.min(next, server.nextDeadlineNanos());
            }
            long delivery = network.nextDeliveryNanos().orElse(Long.MAX_VALUE);
            next = Math.min(next, delivery);
            long now = clock.nanoTime();
            // At least 1 µs, as a real clock would move; never past the end of the run.
            clock.advanceTo(Math.min(Math.max(next, now + 1_000), end + 1));
        }
        return false;
    }

    void handshake() {
        if (!runUntil(() -> client.phase() == ConnectionState.Phase.ESTABLISHED && server != null, Duration.ofSeconds(30))) {
            throw new AssertionError("handshake did not complete");
        }
    }

    /** Writes as much of {@code data} from {@code offset} as fits; returns the new offset. */
    static int writeSome(ConnectionState state, byte[] data, int offset) {
        return offset + state.write(data, offset, data.length - offset);
    }

    /** Moves {@code data} from client to server (the server application reads all it can each step). */
    byte[] transfer(byte[] data, Duration limit) {
        byte[] received = new byte[data.length];
        int[] written = {0};
        int[] read = {0};
        boolean done = runUntil(() -> {
            written[0] = writeSome(client, data, written[0]);
            read[0] += server.read(received, read[0], received.length - read[0]);
            return read[0] == data.length;
        }, limit);
        if (!done) {
            throw new AssertionError("transfer incomplete: " + read[0] + " of " + data.length + " bytes; client "
                    + client.stats() + ", failure " + client.failure());
        }
        return received;
    }

    List<Sent> sentBy(boolean client, int type) {
        return sent.stream().filter(s -> s.fromClient() == client && s.type() == type).toList();
    }
}
