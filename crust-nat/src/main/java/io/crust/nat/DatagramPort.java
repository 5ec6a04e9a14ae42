package io.crust.nat;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The one UDP socket that STUN, classification, hole punching and keepalives talk through.
 *
 * <p>crust-nat does not own the socket a peer uses for its connections: in crust-core that socket
 * belongs to crust-udt, which hands datagrams that are not its own (first byte 0-3, RFC 7983) to
 * a handler. This tiny interface lets the NAT code run over either: {@link #open} gives a
 * standalone port over a {@link java.nio.channels.DatagramChannel}; {@link QueuedDatagramPort}
 * adapts a socket whose receive loop is owned by someone else.
 *
 * <p>One thread at a time may call {@link #receive}; {@link #send} may be called from any thread.
 */
public interface DatagramPort extends Closeable {

    /**
     * A received datagram.
     *
     * @param data   its payload, position 0 and limit its length
     * @param sender who sent it
     */
    record Datagram(ByteBuffer data, InetSocketAddress sender) {
        /**
         * Checks that both components are present.
         *
         * @throws NullPointerException if data or sender is null
         */
        public Datagram {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(sender, "sender");
        }
    }

    /**
     * Sends the remaining bytes of {@code data} to {@code target} as one datagram.
     *
     * @param data   the payload, from its position to its limit
     * @param target where to send it
     * @throws IOException when the socket fails or is closed
     */
    void send(ByteBuffer data, InetSocketAddress target) throws IOException;

    /**
     * Waits up to {@code timeout} for the next datagram.
     *
     * @param timeout how long to wait
     * @return the datagram
     * @throws java.net.SocketTimeoutException when none arrived within {@code timeout}
     * @throws java.nio.channels.ClosedChannelException when the port is closed (also while waiting)
     * @throws IOException when the socket fails
     */
    Datagram receive(Duration timeout) throws IOException;

    /** {@return the local address the port is bound to} Its port is never 0. */
    InetSocketAddress localAddress();

    /**
     * Opens a standalone UDP port over a {@link java.nio.channels.DatagramChannel}.
     *
     * @param local the address to bind; port 0 picks a free port
     * @return the open port; the caller closes it
     * @throws IOException when the address cannot be bound
     */
    static DatagramChannelPort open(InetSocketAddress local) throws IOException {
        return DatagramChannelPort.open(local);
    }
}
