package io.crust.core.relay;

import io.crust.core.jfr.RelayCircuitEvent;
import io.crust.core.CrustException;
import io.crust.core.PeerId;
import io.crust.core.frame.FrameTransport;
import io.crust.core.peer.PeerConnection;
import io.crust.core.peer.PeerHandle;
import io.crust.core.wire.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relay circuits, in both roles.
 *
 * <p><b>As the relay</b> (only if the node allows relaying): RELAY_OPEN(c, B) from A becomes a circuit
 * between (A, c) and (B, c'), announced to B as RELAY_INCOMING(c', A); RELAY_DATA is copied across
 * unchanged (it is encrypted end to end: the relay sees only ciphertext), counting bytes; RELAY_CLOSE
 * or a lost connection closes the circuit on both sides. Limits: {@code maxCircuits} at once and
 * {@code maxBytesPerCircuit} per circuit.
 *
 * <p><b>As an end</b>: {@link #open} asks a relay for a circuit and runs the initiator handshake over
 * it; RELAY_INCOMING starts a responder handshake. Either way the circuit becomes an ordinary
 * {@code PeerConnection} with route RELAYED.
 *
 * <p>Circuit ids are scoped to one connection; the end with the smaller peer id allocates even ids,
 * the other odd ids, so the two directions never collide.
 */
public final class Relay {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

    /** What the relay needs from its node. */
    public interface Host {
        PeerId self();

        /** The live connection to a peer, if any (the current one of its handle). */
        Optional<PeerConnection> connectionTo(PeerId id);

        boolean bans(PeerId id);

        /** Runs the initiator handshake over the circuit and registers it as RELAYED. */
        PeerHandle initiate(FrameTransport transport, PeerId expected, PeerConnection relay) throws CrustException;

        /** Runs the responder handshake over the circuit on a new thread and registers it as RELAYED. */
        void respond(FrameTransport transport, PeerConnection relay);
    }

    private record Key(long connection, int circuit) {
    }

    private final class Circuit {
        final PeerConnection a;
        final int aId;
        final PeerConnection b;
        final int bId;
        final AtomicLong bytes = new AtomicLong();
        /** Begun when the circuit opens, committed by whoever closes it first. */
        final RelayCircuitEvent event = new RelayCircuitEvent();

        Circuit(PeerConnection a, int aId, PeerConnection b, int bId) {
            this.a = a;
            this.aId = aId;
            this.b = b;
            this.bId = bId;
            event.begin();
        }
    }

    private final Host host;
    private final boolean relaying;
    private final int maxCircuits;
    private final long maxBytesPerCircuit;
    private final Map<Key, Circuit> circuits = new ConcurrentHashMap<>();
    private final Map<Key, RelayTransport> ends = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final Consumer<byte[]> forwardedTap;

    /** @param forwardedTap test-only: sees every frame this node forwards as the relay; null for none */
    public Relay(Host host, boolean relaying, int maxCircuits, long maxBytesPerCircuit, Consumer<byte[]> forwardedTap) {
        this.host = host;
        this.relaying = relaying;
        this.maxCircuits = maxCircuits;
        this.maxBytesPerCircuit = maxBytesPerCircuit;
        this.forwardedTap = forwardedTap;
    }

    /** Asks {@code relay} for a circuit to {@code target} and runs the handshake over it. */
    public PeerHandle open(PeerConnection relay, PeerId target, Duration timeout) throws CrustException {
        int id = allocate(relay);
        Key key = new Key(relay.serial(), id);
        RelayTransport transport = new RelayTransport(relay, id, () -> ends.remove(key));
        ends.put(key, transport);
        if (!relay.sendControl(new WireMessage.RelayOpen(false, id, target))) {
            transport.close();
            throw new CrustException("connection to relay " + relay.remote().shortForm() + " is closing");
        }
        return host.initiate(transport, target, relay);
    }

    /** Handles RELAY_OPEN, RELAY_INCOMING, RELAY_DATA and RELAY_CLOSE from {@code from}. */
    public void onMessage(PeerConnection from, WireMessage message) throws InterruptedException {
        switch (message) {
            case WireMessage.RelayOpen open when open.incoming() -> incoming(from, open);
            case WireMessage.RelayOpen open -> serve(from, open);
            case WireMessage.RelayData data -> data(from, data);
            case WireMessage.RelayClose close -> closed(from, close);
            default -> throw new IllegalArgumentException("not a relay message: " + message);
        }
    }

    private void serve(PeerConnection from, WireMessage.RelayOpen open) {
        Key key = new Key(from.serial(), open.circuit());
        String refusal = null;
        Optional<PeerConnection> target = host.connectionTo(open.peer());
        if (!relaying) {
            refusal = "relaying is disabled on this node";
        } else if (circuits.size() / 2 >= maxCircuits) {
            refusal = "relay circuit limit reached";
        } else if (circuits.containsKey(key) || ends.containsKey(key)) {
            refusal = "circuit id in use";
        } else if (target.isEmpty() || host.bans(open.peer())) {
            refusal = "relay is not connected to " + open.peer().shortForm();
        }
        if (refusal != null) {
            from.sendControl(new WireMessage.RelayClose(open.circuit(), refusal));
            return;
        }
        PeerConnection b = target.get();
        int bId = allocate(b);
        Circuit circuit = new Circuit(from, open.circuit(), b, bId);
        circuits.put(key, circuit);
        circuits.put(new Key(b.serial(), bId), circuit);
        LOG.debug("relaying {} <-> {}", from.remote().shortForm(), b.remote().shortForm());
        if (!b.sendControl(new WireMessage.RelayOpen(true, bId, from.remote()))) {
            closeCircuit(circuit, "target connection is closing");
        }
    }

    private void incoming(PeerConnection relay, WireMessage.RelayOpen open) {
        Key key = new Key(relay.serial(), open.circuit());
        if (host.bans(open.peer()) || ends.containsKey(key) || circuits.containsKey(key)) {
            relay.sendControl(new WireMessage.RelayClose(open.circuit(), "refused"));
            return;
        }
        RelayTransport transport = new RelayTransport(relay, open.circuit(), () -> ends.remove(key));
        ends.put(key, transport);
        host.respond(transport, relay);
    }

    private void data(PeerConnection from, WireMessage.RelayData data) throws InterruptedException {
        Key key = new Key(from.serial(), data.circuit());
        RelayTransport end = ends.get(key);
        if (end != null) {
            end.deliver(data.frame());
            return;
        }
        Circuit circuit = circuits.get(key);
        if (circuit == null) {
            return; // late data for a circuit that just closed
        }
        boolean fromA = circuit.a == from;
        PeerConnection to = fromA ? circuit.b : circuit.a;
        int toId = fromA ? circuit.bId : circuit.aId;
        if (circuit.bytes.addAndGet(data.frame().length) > maxBytesPerCircuit) {
            closeCircuit(circuit, "relay byte limit reached");
            return;
        }
        if (forwardedTap != null) {
            forwardedTap.accept(data.frame().clone());
        }
        try {
            to.sendBlocking(new WireMessage.RelayData(toId, data.frame()));
        } catch (CrustException e) {
            closeCircuit(circuit, "relay target connection closed");
        }
    }

    private void closed(PeerConnection from, WireMessage.RelayClose close) {
        Key key = new Key(from.serial(), close.circuit());
        RelayTransport end = ends.remove(key);
        if (end != null) {
            end.closedRemotely(close.reason());
            return;
        }
        Circuit circuit = circuits.get(key);
        if (circuit != null) {
            closeCircuit(circuit, close.reason());
        }
    }

    private void closeCircuit(Circuit circuit, String reason) {
        // Behind the data already queued for each end: a close that overtook it cut off the circuit's tail.
        if (circuits.remove(new Key(circuit.a.serial(), circuit.aId)) != null) {
            circuit.a.sendAfterData(new WireMessage.RelayClose(circuit.aId, reason));
            record(circuit, reason); // the first of the two removals: once per circuit
        }
        if (circuits.remove(new Key(circuit.b.serial(), circuit.bId)) != null) {
            circuit.b.sendAfterData(new WireMessage.RelayClose(circuit.bId, reason));
        }
    }

    /** A connection ended: close the circuits that used it, as relay and as end. */
    public void connectionClosed(PeerConnection connection) {
        for (Map.Entry<Key, RelayTransport> e : List.copyOf(ends.entrySet())) {
            if (e.getKey().connection() == connection.serial()) {
                e.getValue().closedRemotely("connection to the relay was lost");
            }
        }
        for (Map.Entry<Key, Circuit> e : List.copyOf(circuits.entrySet())) {
            if (e.getKey().connection() == connection.serial()) {
                closeCircuit(e.getValue(), "a relayed peer was lost");
            }
        }
    }

    private static void record(Circuit circuit, String reason) {
        RelayCircuitEvent event = circuit.event;
        event.end();
        if (event.shouldCommit()) {
            event.fromPeer = circuit.a.remote().toString();
            event.toPeer = circuit.b.remote().toString();
            event.bytes = circuit.bytes.get();
            event.closeReason = reason;
            event.commit();
        }
    }

    /** Number of circuits this node relays now. */
    public int relayedCircuits() {
        return circuits.size() / 2;
    }

    private int allocate(PeerConnection connection) {
        int parity = host.self().compareTo(connection.remote()) < 0 ? 0 : 1;
        return (nextId.incrementAndGet() << 1) | parity;
    }
}
