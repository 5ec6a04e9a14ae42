package io.crust.testkit;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real UDP socket whose outgoing datagrams pass through a {@link DatagramImpairment}: for tests
 * on loopback that want loss, duplication, reordering, delay or corruption with real sockets.
 *
 * <p>It wraps (does not subclass) a {@link DatagramSocket}. {@link #send} applies the impairment;
 * copies due now are sent at once, later ones by this socket's own virtual thread
 * ({@code crust-testkit-impaired-<port>}), which {@link #close()} stops. Receiving is not impaired:
 * impair both directions by wrapping both ends.
 */
public final class ImpairedDatagramSocket implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImpairedDatagramSocket.class);

    private record Scheduled(byte[] payload, SocketAddress to, long dueNanos, long sequence) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Scheduled o = (Scheduled) other;
            int byTime = Long.compare(dueNanos - o.dueNanos, 0);
            return byTime != 0 ? byTime : Long.compare(sequence, o.sequence);
        }
    }

    private final DatagramSocket delegate;
    private final DatagramImpairment impairment;
    private final DelayQueue<Scheduled> delayed = new DelayQueue<>();
    private final AtomicLong nextSequence = new AtomicLong();
    private final Thread sender;

    /** Wraps {@code delegate} (which this object then owns and closes). */
    public ImpairedDatagramSocket(DatagramSocket delegate, DatagramImpairment impairment) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.impairment = Objects.requireNonNull(impairment, "impairment");
        this.sender = Thread.ofVirtual()
                .name("crust-testkit-impaired-" + delegate.getLocalPort())
                .start(this::sendDelayedUntilClosed);
    }

    /** Offers {@code packet} to the impairment; the packet may be reused by the caller afterwards. */
    public void send(DatagramPacket packet) throws IOException {
        SocketAddress to = packet.getSocketAddress();
        long nowNanos = System.nanoTime();
        for (DatagramImpairment.Delivery d : impairment.apply(packet.getData(), packet.getOffset(), packet.getLength(), nowNanos)) {
            if (d.deliverAtNanos() - nowNanos <= 0) {
                delegate.send(new DatagramPacket(d.payload(), d.payload().length, to));
            } else {
                delayed.add(new Scheduled(d.payload(), to, d.deliverAtNanos(), nextSequence.getAndIncrement()));
            }
        }
    }

    /** Receives the next datagram, as {@link DatagramSocket#receive} does (unimpaired). */
    public void receive(DatagramPacket packet) throws IOException {
        delegate.receive(packet);
    }

    /** The wrapped socket, for options such as {@code setSoTimeout} and for the local address. */
    public DatagramSocket socket() {
        return delegate;
    }

    /** The impairment applied to sent datagrams (its {@code counts()} say what it did). */
    public DatagramImpairment impairment() {
        return impairment;
    }

    /** Stops the delayed sender, drops datagrams not yet sent, and closes the socket. */
    @Override
    public void close() {
        sender.interrupt();
        delegate.close();
        try {
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delayed.clear();
    }

    private void sendDelayedUntilClosed() {
        try {
            while (!delegate.isClosed()) {
                Scheduled next = delayed.take();
                delegate.send(new DatagramPacket(next.payload(), next.payload().length, next.to()));
            }
        } catch (InterruptedException e) {
            // close() asked us to stop
        } catch (IOException e) {
            if (!delegate.isClosed()) {
                LOG.warn("impaired sender stopped on {}", delegate.getLocalSocketAddress(), e);
            }
        }
    }
}
