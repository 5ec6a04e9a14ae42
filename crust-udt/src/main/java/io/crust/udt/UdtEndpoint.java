package io.crust.udt;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import io.crust.udt.transport.ConnectionDriver;
import io.crust.udt.transport.Demultiplexer;

/**
 * One UDP socket carrying any number of crust-udt connections, plus the other protocols that share
 * the port (STUN and hole punching). A single receive loop (a platform thread named
 * {@code crust-udt-recv-<port>}) reads every datagram and routes it by its first byte:
 * <ul>
 *   <li>{@code 0xD0..0xDF} ({@link #FIRST_BYTE_MIN}..{@link #FIRST_BYTE_MAX}): crust-udt, routed to a
 *       connection by its destination connection id, or to the handshake logic;</li>
 *   <li>anything else: the {@link ForeignDatagramHandler}, if one is set. RFC 7983 sec. 7 reserves
 *       0-3 for STUN, 16-19 ZRTP, 20-63 DTLS, 64-79 TURN channels and 128-191 RTP/RTCP; the range
 *       crust-udt uses is one that RFC 7983 leaves unassigned.</li>
 * </ul>
 * Malformed, unknown-connection or replayed datagrams are dropped and counted in {@link #stats()};
 * nothing a peer sends can stop the loop.
 *
 * <p>Each connection has a thread of its own for its timers ({@code crust-udt-conn-<id>}, a platform
 * thread; datagrams and application calls run the protocol on the thread where they happen). A platform
 * thread blocked in {@link UdtConnection#receive()} reads the socket in the loop's place while it waits,
 * so that the kernel wakes it, not the loop, when its message arrives (docs/udt.md, "Who reads the
 * socket"); on the JDK path not on a channel given to {@link #open}.
 * {@link #close()} aborts every connection, stops the loop and closes the socket.
 *
 * <p>Incoming connection attempts are answered with a stateless cookie first (see {@code docs/udt.md});
 * accepted connections wait for {@link #accept(Duration)} in a queue of at most
 * {@link UdtConfig#maxPendingHandshakes()}.
 */
public final class UdtEndpoint implements AutoCloseable {
    /** Smallest first byte of a crust-udt datagram. */
    public static final int FIRST_BYTE_MIN = 0xD0;
    /** Largest first byte of a crust-udt datagram. */
    public static final int FIRST_BYTE_MAX = 0xDF;

    private final Demultiplexer demultiplexer;

    private UdtEndpoint(Demultiplexer demultiplexer) {
        this.demultiplexer = demultiplexer;
    }

    /**
     * Opens a socket bound to {@code local} (port 0 picks a free port) and starts the receive loop.
     *
     * @param local the address to bind
     * @param config the settings of the endpoint and its connections
     * @return the running endpoint
     * @throws IOException if the address cannot be bound
     */
    public static UdtEndpoint bind(InetSocketAddress local, UdtConfig config) throws IOException {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(config, "config");
        // A DatagramSocket rather than a channel: interrupting a thread that reads it does not close it,
        // so a waiting application thread may read it itself (see docs/udt.md, "Who reads the socket").
        DatagramSocket socket = new DatagramSocket(null);
        try {
            socket.bind(local);
            return new UdtEndpoint(Demultiplexer.start(socket, config));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Takes over a channel that is already bound (for example the port hole punching used) and starts
     * the receive loop on it. The channel is switched to blocking mode; it is closed by {@link #close()}.
     *
     * @param alreadyBound the bound channel, which the endpoint now owns
     * @param config the settings of the endpoint and its connections
     * @return the running endpoint
     * @throws IOException if the channel is not bound or cannot be configured
     */
    public static UdtEndpoint open(DatagramChannel alreadyBound, UdtConfig config) throws IOException {
        Objects.requireNonNull(alreadyBound, "alreadyBound");
        Objects.requireNonNull(config, "config");
        return new UdtEndpoint(Demultiplexer.start(alreadyBound, config));
    }

    /** {@return the bound address of the socket} With the real port if bound to port 0. */
    public InetSocketAddress localAddress() {
        return demultiplexer.localAddress();
    }

    /**
     * Opens a connection to a listening peer: sends handshake packets (retried with backoff) until the
     * peer accepts.
     *
     * @param remote the listening peer
     * @param timeout how long to try
     * @return the connection
     * @throws SocketTimeoutException if the peer has not accepted within {@code timeout}
     * @throws java.io.InterruptedIOException if the calling thread is interrupted (its flag is kept)
     * @throws UdtException if the peer refuses (for example it speaks no common version) or the endpoint closes
     */
    public UdtConnection connect(InetSocketAddress remote, Duration timeout) throws IOException {
        return new UdtConnection(demultiplexer.connect(Objects.requireNonNull(remote, "remote"), nanos(timeout), false));
    }

    /**
     * Waits for the next incoming connection.
     *
     * @param timeout how long to wait
     * @return the connection
     * @throws SocketTimeoutException if none arrives within {@code timeout}
     * @throws java.io.InterruptedIOException if the calling thread is interrupted (its flag is kept)
     * @throws UdtException if the endpoint is closed
     */
    public UdtConnection accept(Duration timeout) throws IOException {
        ConnectionDriver driver = demultiplexer.accept(nanos(timeout));
        if (driver == null) {
            throw new SocketTimeoutException("no connection arrived within " + timeout.toMillis() + " ms");
        }
        return new UdtConnection(driver);
    }

    /**
     * Connects to a peer that calls {@code rendezvous} towards this endpoint at about the same time
     * (after hole punching, neither side is "the server"). Both sides send handshakes; the side whose
     * random connection id is larger answers, so exactly one connection results.
     *
     * @param remote the peer, at the address hole punching found
     * @param timeout how long to try
     * @return the connection
     * @throws SocketTimeoutException if no connection forms within {@code timeout}
     * @throws java.io.InterruptedIOException if the calling thread is interrupted (its flag is kept)
     * @throws UdtException if the endpoint closes or the peer refuses
     */
    public UdtConnection rendezvous(InetSocketAddress remote, Duration timeout) throws IOException {
        return new UdtConnection(demultiplexer.connect(Objects.requireNonNull(remote, "remote"), nanos(timeout), true));
    }

    /**
     * Sets (or with {@code null} removes) the receiver of non-crust-udt datagrams. Without one they are
     * counted and dropped.
     *
     * @param handler the receiver, or null
     */
    public void setForeignDatagramHandler(ForeignDatagramHandler handler) {
        demultiplexer.setForeignHandler(handler);
    }

    /**
     * Sends one datagram as is from this endpoint's socket (STUN requests, punch probes). Its first
     * byte should lie outside {@link #FIRST_BYTE_MIN}..{@link #FIRST_BYTE_MAX} so the peer can tell it
     * from crust-udt traffic.
     *
     * @param datagram the bytes between its position and limit
     * @param to the destination
     * @throws IOException if the socket fails or is closed
     */
    public void sendRaw(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        demultiplexer.sendRaw(Objects.requireNonNull(datagram, "datagram"), Objects.requireNonNull(to, "to"));
    }

    /** {@return the socket buffer sizes this endpoint asked for and what the kernel granted} The kernel may cap them silently. */
    public SocketBuffers socketBuffers() {
        return demultiplexer.socketBuffers();
    }

    /**
     * How this endpoint moves datagrams: {@code "linux-gso"} (batched receive and segmentation offload
     * through the foreign function API; see {@link UdtConfig#fastPath()}), else {@code "jdk"} on a socket
     * the endpoint opened ({@link #bind}) and {@code "jdk-channel"} on a channel it was given ({@link #open}).
     *
     * @return the datagram path's name
     */
    public String datagramPath() {
        return demultiplexer.datagramPath();
    }

    /** {@return the counters since the endpoint opened} */
    public EndpointStats stats() {
        return demultiplexer.stats();
    }

    /** Aborts all connections, stops the receive loop and closes the socket. Idempotent. */
    @Override
    public void close() {
        demultiplexer.close();
    }

    private static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return timeout.isNegative() ? 0 : timeout.toNanos();
    }

    @Override
    public String toString() {
        return "UdtEndpoint[" + demultiplexer.localAddress() + "]";
    }
}
