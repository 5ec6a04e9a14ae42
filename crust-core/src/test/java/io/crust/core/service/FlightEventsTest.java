package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.ConnectFailedException;
import io.crust.core.ConnectionInfo;
import io.crust.core.CrustEvent;
import io.crust.core.CrustNode;
import io.crust.core.Peer;
import io.crust.core.Route;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The JDK Flight Recorder events of crust-core and crust-udt, recorded from real nodes on loopback. */
class FlightEventsTest {
    private static final List<String> EVENTS = List.of("io.crust.ConnectionEstablished", "io.crust.ConnectionLost",
            "io.crust.ConnectionUpgraded", "io.crust.Handshake", "io.crust.PunchAttempt", "io.crust.RelayCircuit");

    @RegisterExtension
    final Nodes nodes = new Nodes();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private int arrivals;
    private RecordingStream stream;

    @TempDir
    Path dumps;

    @BeforeEach
    void startRecording() {
        stream = new RecordingStream();
        stream.setMaxAge(Duration.ofMinutes(10)); // what dump() writes: without a limit it may be nothing
        EVENTS.forEach(name -> stream.enable(name));
        stream.enable("io.crust.udt.Statistics").withPeriod(Duration.ofMillis(100));
        // The stream only says that something arrived; the events are read back from a dump of the
        // recording, as a user's tools read a .jfr file. (Read straight off the stream, a long string
        // field of an event, such as a peer id already used by an earlier event, came back null on
        // JDK 25 now and then, while the dump of the same recording had it.)
        stream.onEvent(event -> {
            lock.lock();
            try {
                arrivals++;
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        });
        stream.startAsync();
    }

    @AfterEach
    void stopRecording() {
        stream.close();
    }

    @Test
    void aConnectionRecordsBothHandshakesAndBothEnds() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        b.connect(Nodes.tcp(a), Nodes.WAIT);

        RecordedEvent initiator = await("io.crust.Handshake", e -> e.getBoolean("initiator"));
        assertThat(initiator.getString("peer")).isEqualTo(a.id().toString());
        assertThat(initiator.getString("outcome")).isEqualTo("OK");
        assertThat(initiator.getDuration()).isPositive();
        RecordedEvent responder = await("io.crust.Handshake", e -> !e.getBoolean("initiator"));
        assertThat(responder.getString("peer")).isEqualTo(b.id().toString());

        RecordedEvent atB = await("io.crust.ConnectionEstablished", e -> e.getString("peer").equals(a.id().toString()));
        assertThat(atB.getString("route")).isEqualTo("DIRECT");
        assertThat(atB.getString("transport")).isEqualTo("TCP");
        assertThat(atB.getString("remoteAddress")).isEqualTo(Nodes.tcp(a).toString());
        RecordedEvent atA = await("io.crust.ConnectionEstablished", e -> e.getString("peer").equals(b.id().toString()));
        assertThat(atA.getString("route")).isEqualTo("BOOTSTRAP_IN");
    }

    @Test
    void aHandshakeWithTheWrongIdentityRecordsWhy() throws Exception {
        CrustNode a = nodes.start();
        CrustNode other = nodes.start();
        CrustNode c = nodes.start();
        ConnectionInfo forged = new ConnectionInfo(other.id(), a.connectionInfo().tcpAddresses(), List.of());
        assertThatThrownBy(() -> c.connect(forged, Nodes.WAIT)).isInstanceOf(ConnectFailedException.class);

        RecordedEvent failed = await("io.crust.Handshake", e -> e.getBoolean("initiator"));
        assertThat(failed.getString("outcome")).isEqualTo("WRONG_PEER");
        assertThat(failed.getString("peer")).isNull();
    }

    @Test
    void aPeerThatLeavesRecordsTheLossAndItsReason() throws Exception {
        CrustNode a = nodes.start();
        CrustNode b = nodes.start();
        b.connect(Nodes.tcp(a), Nodes.WAIT);
        Nodes.await(a, CrustEvent.PeerConnected.class);
        b.close();

        RecordedEvent lost = await("io.crust.ConnectionLost", e -> e.getString("peer").equals(b.id().toString()));
        assertThat(lost.getString("reason")).isEqualTo("GOODBYE");
        assertThat(lost.getString("detail")).contains("node shutting down");
    }

    @Test
    void aBetterSecondConnectionRecordsTheUpgradeAndCrustUdtIsSampledMeanwhile() throws Exception {
        CrustNode a = nodes.start(c -> c.udp(true));
        CrustNode b = nodes.start(c -> c.udp(true));
        ConnectionInfo udpOnly = new ConnectionInfo(b.id(), List.of(), List.of(b.udpAddress().orElseThrow()));
        Peer toB = a.connect(udpOnly, Nodes.WAIT);
        assertThat(toB.transport()).isEqualTo(io.crust.core.Transport.UDT);
        toB.send("over crust-udt".getBytes(StandardCharsets.UTF_8));

        RecordedEvent sample = await("io.crust.udt.Statistics",
                e -> e.getString("remoteAddress").equals(b.udpAddress().orElseThrow().toString()));
        assertThat(sample.getLong("packetsSent")).isPositive();
        assertThat(sample.getDuration("smoothedRtt")).isPositive();

        a.connect(Nodes.tcp(b), Nodes.WAIT);             // TCP outranks crust-udt: the handle moves
        RecordedEvent upgraded = await("io.crust.ConnectionUpgraded", e -> e.getString("peer").equals(b.id().toString()));
        assertThat(upgraded.getString("fromTransport")).isEqualTo("UDT");
        assertThat(upgraded.getString("toTransport")).isEqualTo("TCP");
    }

    @Test
    void aRelayRecordsTheCircuitWithTheBytesItForwardedWhenItCloses() throws Exception {
        CrustNode relay = nodes.start(c -> c.relay(true));
        CrustNode a = nodes.start(c -> c.contacts(List.of(Nodes.tcp(relay))).disableDirectPathsForTesting());
        CrustNode b = nodes.start(c -> c.contacts(List.of(Nodes.tcp(relay))).disableDirectPathsForTesting());
        Nodes.await(a, CrustEvent.BootstrapFinished.class);
        Nodes.await(b, CrustEvent.BootstrapFinished.class);
        Peer toB = a.connect(b.id(), Nodes.WAIT);
        assertThat(toB.route()).isEqualTo(Route.RELAYED);
        toB.send(new byte[10_000]);
        Nodes.await(b, CrustEvent.MessageReceived.class, m -> m.from().equals(a.id()));
        toB.close();

        RecordedEvent circuit = await("io.crust.RelayCircuit", e -> true);
        assertThat(circuit.getString("fromPeer")).isEqualTo(a.id().toString());
        assertThat(circuit.getString("toPeer")).isEqualTo(b.id().toString());
        assertThat(circuit.getLong("bytes")).isGreaterThan(10_000);
        assertThat(await("io.crust.ConnectionEstablished", e -> e.getString("route").equals("RELAYED"))).isNotNull();
    }

    @Test
    void connectingByIdRecordsThePunchAttempt() throws Exception {
        CrustNode hub = nodes.start(c -> c.tcp(false).udp(true));
        CrustNode a = nodes.start(c -> c.tcp(false).udp(true).contacts(List.of(hub.udpAddress().orElseThrow())));
        CrustNode b = nodes.start(c -> c.tcp(false).udp(true).contacts(List.of(hub.udpAddress().orElseThrow())));
        Nodes.await(a, CrustEvent.BootstrapFinished.class);
        Nodes.await(b, CrustEvent.BootstrapFinished.class);
        a.connect(b.id(), Nodes.WAIT);

        RecordedEvent punch = await("io.crust.PunchAttempt", e -> e.getString("peer").equals(b.id().toString()));
        assertThat(punch.getString("protocol")).isEqualTo("udp");
        assertThat(punch.getString("detail")).isNotEmpty();
    }

    /** The first recorded event of type {@code name} that matches, waiting for it up to {@link Nodes#WAIT}. */
    private RecordedEvent await(String name, Predicate<RecordedEvent> match) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Nodes.WAIT.toNanos();
        while (true) {
            int seen;
            lock.lock();
            try {
                seen = arrivals;
            } finally {
                lock.unlock();
            }
            List<RecordedEvent> recorded = dump();
            for (RecordedEvent e : recorded) {
                if (e.getEventType().getName().equals(name) && match.test(e)) {
                    return e;
                }
            }
            lock.lock();
            try {
                while (arrivals == seen) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no matching " + name + " within " + Nodes.WAIT + "; recorded: "
                                + recorded.stream().map(e -> e.getEventType().getName()).toList());
                    }
                    arrived.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private List<RecordedEvent> dump() throws IOException {
        Path file = Files.createTempFile(dumps, "crust-", ".jfr");
        stream.dump(file);
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        Files.delete(file);
        return events.stream().filter(e -> e.getEventType().getName().startsWith("io.crust.")).toList();
    }
}
