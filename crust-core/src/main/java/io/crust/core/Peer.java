package io.crust.core;

import java.net.InetSocketAddress;

/**
 * A live, authenticated, encrypted connection to one peer, handed to the application by
 * {@link CrustEvent.PeerConnected} or {@link CrustNode#connect}. The application keeps it or drops it
 * with {@link #close()}.
 *
 * <p>There is at most one {@code Peer} per remote peer id. If a better path appears (a direct path
 * replacing a relayed one, TCP replacing crust-udt, or a duplicate connection being settled), the same
 * handle moves to the new connection and {@link CrustEvent.ConnectionUpgraded} is emitted; messages
 * keep their order within each underlying connection.
 *
 * <p>Methods are safe to call from any thread.
 */
public interface Peer extends AutoCloseable {
    /** The authenticated id of the remote peer. */
    PeerId id();

    /** The transport of the current connection (for a relayed connection: of the hop to the relay). */
    Transport transport();

    /** How the current connection was made. */
    Route route();

    /** The remote address of the current connection (for a relayed connection: the relay's). */
    InetSocketAddress remoteAddress();

    /** True until the connection is closed or lost. */
    boolean isOpen();

    /**
     * Sends one message with {@link Priority#HIGH}: blocks while the send queue is full (backpressure),
     * never drops it silently.
     *
     * @throws CrustException if the message is larger than {@link CrustConfig#maxMessageBytes()}, the
     *     connection is closed or lost, or the calling thread is interrupted (its interrupt flag is
     *     then set again)
     */
    default void send(byte[] message) throws CrustException {
        send(message, Priority.HIGH);
    }

    /**
     * Sends one message with the given priority. HIGH blocks while the queue is full; LOW never blocks
     * and may be dropped when stale (see {@link Priority#LOW}).
     *
     * @throws CrustException as for {@link #send(byte[])}
     */
    void send(byte[] message, Priority priority) throws CrustException;

    /** Closes the connection (without a {@link CrustEvent.PeerLost} event); idempotent. */
    @Override
    void close();
}
