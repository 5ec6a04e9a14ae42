package io.crust.nat;

import io.crust.nat.stun.BindingResponder.Reply;
import io.crust.nat.stun.BindingResponder.ServerAddresses;
import io.crust.nat.stun.BindingResponder;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STUN server for Binding requests (RFC 8489), with the RFC 5780 attributes when it has an
 * alternate address and port: CHANGE-REQUEST, RESPONSE-ORIGIN, OTHER-ADDRESS, RESPONSE-PORT.
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>{@link #respond} is a pure function for a socket owned by someone else: every Crust peer
 *       answers Binding requests on its crust-udt socket by passing STUN datagrams (first byte
 *       0-3) to it and sending back what it returns;</li>
 *   <li>{@link #start} runs a standalone server on its own sockets, one virtual thread each,
 *       until {@link #close}.</li>
 * </ul>
 */
public final class StunServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(StunServer.class);
    private static final Duration RECEIVE_SLICE = Duration.ofSeconds(1);

    private final ServerAddresses addresses;
    private final List<DatagramChannelPort> ports;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong answered = new AtomicLong();
    private volatile boolean closed;

    private StunServer(ServerAddresses addresses, List<DatagramChannelPort> ports) {
        this.addresses = addresses;
        this.ports = ports;
    }

    /**
     * Answers one datagram received on a shared socket.
     *
     * @param request the datagram's bytes (not consumed)
     * @param sender  where it came from
     * @return the Binding response to send back to {@code sender} on the same socket, or empty when
     *         the datagram is not a well-formed Binding request (indications, responses, garbage).
     *         A request with CHANGE-REQUEST gets a 420 error: a single socket
     *         cannot answer from another address.
     */
    public static Optional<ByteBuffer> respond(ByteBuffer request, InetSocketAddress sender) {
        InetSocketAddress unknownLocal = new InetSocketAddress(anyLocal(sender), 0);
        return BindingResponder.answer(request, sender, unknownLocal, ServerAddresses.single(unknownLocal))
                .filter(reply -> reply.destination().equals(sender))
                .map(Reply::bytes);
    }

    /**
     * Tells STUN from other datagrams on a shared socket: first byte 0-3 and a length field that matches.
     *
     * @param datagram the datagram's bytes (not consumed)
     * @return true when the datagram has the shape of a STUN message
     */
    public static boolean isStun(ByteBuffer datagram) {
        return io.crust.nat.stun.StunMessage.looksLikeStun(datagram);
    }

    /**
     * Starts a server on one address, without RFC 5780 alternates.
     *
     * @param bind the address to bind; port 0 picks one
     * @return the running server; close it to stop it
     * @throws IOException when the socket cannot be bound
     */
    public static StunServer start(InetSocketAddress bind) throws IOException {
        return start(bind, null, -1);
    }

    /**
     * Starts an RFC 5780 server: sockets on the primary and alternate IP, each on the primary and
     * the alternate port (four sockets; two when {@code alternateIp} is null, which supports only
     * "change port"). Port 0 for either port picks free ports.
     *
     * @param primary       the primary address, where clients send their first request
     * @param alternateIp   the alternate IP address, or null for "change port" only
     * @param alternatePort the alternate port, 0 for a free one, or -1 for none (then no alternate IP either)
     * @return the running server; close it to stop it
     * @throws IllegalArgumentException if an alternate IP is given without an alternate port
     * @throws IOException when a socket cannot be bound
     */
    public static StunServer start(InetSocketAddress primary, InetAddress alternateIp, int alternatePort)
            throws IOException {
        List<DatagramChannelPort> ports = new ArrayList<>();
        try {
            DatagramChannelPort first = DatagramPort.open(primary);
            ports.add(first);
            int primaryPort = first.localAddress().getPort();
            InetAddress primaryIp = first.localAddress().getAddress();
            int altPort = 0;
            if (alternatePort >= 0) {
                DatagramChannelPort second = DatagramPort.open(new InetSocketAddress(primaryIp, alternatePort));
                ports.add(second);
                altPort = second.localAddress().getPort();
            }
            if (alternateIp != null) {
                if (altPort == 0) {
                    throw new IllegalArgumentException("an alternate IP needs an alternate port (RFC 5780)");
                }
                ports.add(DatagramPort.open(new InetSocketAddress(alternateIp, primaryPort)));
                ports.add(DatagramPort.open(new InetSocketAddress(alternateIp, altPort)));
            }
            StunServer server = new StunServer(new ServerAddresses(primaryIp, primaryPort, alternateIp, altPort),
                    List.copyOf(ports));
            server.startThreads();
            return server;
        } catch (IOException | RuntimeException e) {
            for (DatagramChannelPort p : ports) {
                p.close();
            }
            throw e;
        }
    }

    private void startThreads() {
        for (DatagramChannelPort port : ports) {
            threads.add(Thread.ofVirtual()
                    .name("crust-nat-stun-server-" + port.localAddress().getPort())
                    .start(() -> serve(port)));
        }
    }

    private void serve(DatagramChannelPort port) {
        while (!closed) {
            try {
                DatagramPort.Datagram d;
                try {
                    d = port.receive(RECEIVE_SLICE); // a slice, to notice close
                } catch (SocketTimeoutException quiet) {
                    continue;
                }
                Optional<Reply> reply = BindingResponder.answer(d.data(), d.sender(), port.localAddress(), addresses);
                if (reply.isPresent()) {
                    // Counted before the send: a client that already holds the reply must see it counted.
                    answered.incrementAndGet();
                    try {
                        portFor(reply.get().origin()).send(reply.get().bytes(), reply.get().destination());
                    } catch (IOException e) {
                        answered.decrementAndGet();
                        throw e;
                    }
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.debug("STUN server on {}: {}", port.localAddress(), e.toString());
                }
            }
        }
    }

    private DatagramChannelPort portFor(InetSocketAddress origin) {
        for (DatagramChannelPort p : ports) {
            if (p.localAddress().equals(origin)) {
                return p;
            }
        }
        return ports.get(0);
    }

    /** {@return the primary address: where clients send their first request} */
    public InetSocketAddress address() {
        return ports.get(0).localAddress();
    }

    /** {@return the RFC 5780 OTHER-ADDRESS of the primary address} Empty unless the server has both alternates. */
    public Optional<InetSocketAddress> otherAddress() {
        if (addresses.alternateIp() == null || addresses.alternatePort() == 0) {
            return Optional.empty();
        }
        return Optional.of(new InetSocketAddress(addresses.alternateIp(), addresses.alternatePort()));
    }

    /** {@return every socket address the server answers on, the primary first} */
    public List<InetSocketAddress> localAddresses() {
        return ports.stream().map(DatagramChannelPort::localAddress).toList();
    }

    /** {@return how many responses (success or error) the server has sent} */
    public long responsesSent() {
        return answered.get();
    }

    /** Stops the threads and closes the sockets. */
    @Override
    public void close() throws IOException {
        closed = true;
        IOException failure = null;
        for (DatagramChannelPort p : ports) {
            try {
                p.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static InetAddress anyLocal(InetSocketAddress sender) {
        try {
            return InetAddress.getByAddress(new byte[sender.getAddress().getAddress().length]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
