package io.crust.testkit;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A deterministic datagram network in memory, for protocol tests driven by a {@link ManualClock}.
 *
 * <p>Endpoints are bound to socket addresses. {@link Endpoint#send} hands a datagram to the
 * network, which applies the impairment of that directed link (none by default) and queues the
 * copies with their delivery times. Nothing arrives by itself: {@link #deliverDue()} moves every
 * copy whose time has come on the clock into its recipient's inbox, in order of delivery time and
 * then of sending, and {@link Endpoint#poll()} takes them out. A datagram for an address nobody
 * is bound to is dropped silently, as UDP does. With the same seeds and the same calls, a run is
 * identical every time.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * InMemoryNetwork net = new InMemoryNetwork(clock);
 * var a = net.bind(new InetSocketAddress("10.0.0.1", 9000));
 * var b = net.bind(new InetSocketAddress("10.0.0.2", 9000));
 * net.impair(a.address(), b.address(), DatagramImpairment.seeded(7).delay(Duration.ofMillis(25)).build());
 * a.send(bytes, b.address());
 * net.advance(Duration.ofMillis(25));   // clock.advance + deliverDue
 * InMemoryNetwork.Datagram d = b.poll(); // arrives now
 * }</pre>
 *
 * <p>Thread-safe, but determinism needs the test to drive it from one thread.
 */
public final class InMemoryNetwork {

    /** A datagram as received: who sent it, to whom, and the bytes. */
    public record Datagram(InetSocketAddress sender, InetSocketAddress recipient, byte[] payload) {
        public Datagram {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(payload, "payload");
        }

        @Override
        public String toString() {
            return "Datagram[" + sender + " -> " + recipient + ", " + payload.length + " bytes]";
        }
    }

    private record Link(InetSocketAddress from, InetSocketAddress to) {}

    private record InFlight(Datagram datagram, long deliverAtNanos, long sequence) {}

    private final ManualClock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<InetSocketAddress, Endpoint> endpoints = new HashMap<>();
    private final Map<Link, DatagramImpairment> linkImpairments = new HashMap<>();
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
            Comparator.comparingLong(InFlight::deliverAtNanos).thenComparingLong(InFlight::sequence));
    private DatagramImpairment defaultImpairment = DatagramImpairment.none();
    private long nextSequence;

    /** A network whose delivery times follow {@code clock}. */
    public InMemoryNetwork(ManualClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The clock this network delivers by. */
    public ManualClock clock() {
        return clock;
    }

    /** Binds a new endpoint to {@code address}; an address can be bound once until that endpoint closes. */
    public Endpoint bind(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        lock.lock();
        try {
            if (endpoints.containsKey(address)) {
                throw new IllegalStateException("address already bound: " + address);
            }
            Endpoint endpoint = new Endpoint(address);
            endpoints.put(address, endpoint);
            return endpoint;
        } finally {
            lock.unlock();
        }
    }

    /** Impairs datagrams sent from {@code from} to {@code to} (one direction only). */
    public void impair(InetSocketAddress from, InetSocketAddress to, DatagramImpairment impairment) {
        lock.lock();
        try {
            linkImpairments.put(new Link(from, to), Objects.requireNonNull(impairment, "impairment"));
        } finally {
            lock.unlock();
        }
    }

    /** Impairs every link that has no impairment of its own. */
    public void impairAll(DatagramImpairment impairment) {
        lock.lock();
        try {
            defaultImpairment = Objects.requireNonNull(impairment, "impairment");
        } finally {
            lock.unlock();
        }
    }

    /** Delivers every queued datagram due at the clock's current time; returns how many were delivered. */
    public int deliverDue() {
        long nowNanos = clock.nanoTime();
        lock.lock();
        try {
            int delivered = 0;
            while (!inFlight.isEmpty() && inFlight.peek().deliverAtNanos - nowNanos <= 0) {
                Datagram datagram = inFlight.poll().datagram;
                Endpoint recipient = endpoints.get(datagram.recipient());
                if (recipient != null) {
                    recipient.inbox.add(datagram);
                    delivered++;
                }
            }
            return delivered;
        } finally {
            lock.unlock();
        }
    }

    /** Advances the clock by {@code step}, then {@link #deliverDue()}. */
    public int advance(Duration step) {
        clock.advance(step);
        return deliverDue();
    }

    /** When the next queued datagram is due, if any is queued. */
    public OptionalLong nextDeliveryNanos() {
        lock.lock();
        try {
            return inFlight.isEmpty() ? OptionalLong.empty() : OptionalLong.of(inFlight.peek().deliverAtNanos);
        } finally {
            lock.unlock();
        }
    }

    /** How many datagram copies are queued and not yet delivered. */
    public int inFlightCount() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    private void send(InetSocketAddress from, byte[] buffer, int offset, int length, InetSocketAddress to) {
        Objects.requireNonNull(to, "to");
        long nowNanos = clock.nanoTime();
        lock.lock();
        try {
            DatagramImpairment impairment = linkImpairments.getOrDefault(new Link(from, to), defaultImpairment);
            for (DatagramImpairment.Delivery d : impairment.apply(buffer, offset, length, nowNanos)) {
                inFlight.add(new InFlight(new Datagram(from, to, d.payload()), d.deliverAtNanos(), nextSequence++));
            }
        } finally {
            lock.unlock();
        }
    }

    /** One bound address on the network, with its inbox of delivered datagrams. */
    public final class Endpoint implements AutoCloseable {
        private final InetSocketAddress address;
        private final ArrayDeque<Datagram> inbox = new ArrayDeque<>();
        private boolean closed;

        private Endpoint(InetSocketAddress address) {
            this.address = address;
        }

        /** The address this endpoint is bound to (what its peers see as the sender). */
        public InetSocketAddress address() {
            return address;
        }

        /** Sends a copy of {@code datagram} to {@code to}; never blocks. */
        public void send(byte[] datagram, InetSocketAddress to) {
            send(datagram, 0, datagram.length, to);
        }

        /** Sends a copy of {@code length} bytes of {@code buffer} from {@code offset} to {@code to}. */
        public void send(byte[] buffer, int offset, int length, InetSocketAddress to) {
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("endpoint closed: " + address);
                }
            } finally {
                lock.unlock();
            }
            InMemoryNetwork.this.send(address, Arrays.copyOfRange(buffer, offset, offset + length), 0, length, to);
        }

        /** The oldest delivered datagram, or {@code null} when the inbox is empty. */
        public Datagram poll() {
            lock.lock();
            try {
                return inbox.poll();
            } finally {
                lock.unlock();
            }
        }

        /** Takes every delivered datagram out of the inbox, oldest first. */
        public List<Datagram> drain() {
            lock.lock();
            try {
                List<Datagram> all = new ArrayList<>(inbox);
                inbox.clear();
                return all;
            } finally {
                lock.unlock();
            }
        }

        /** Unbinds the address; datagrams still in flight to it are then dropped. */
        @Override
        public void close() {
            lock.lock();
            try {
                if (!closed) {
                    closed = true;
                    endpoints.remove(address, this);
                    inbox.clear();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return "Endpoint[" + address + "]";
        }
    }
}
