package io.crust.core;

import java.net.InetSocketAddress;
import java.time.Duration;

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
 * <p>Receiving: with {@link MessageDelivery#PER_PEER} each peer's messages wait in the peer's own
 * bounded inbox for {@link #receive(Duration)}; with {@link MessageDelivery#EVENTS} (the default) they
 * arrive as {@link CrustEvent.MessageReceived} on {@link CrustNode#events()} instead, and
 * {@link #receive} is refused. Each message goes to exactly one of the two.
 *
 * <p>Methods are safe to call from any thread; one receiver per peer is the intended use.
 */
public interface Peer extends AutoCloseable {
    /** {@return the authenticated id of the remote peer} */
    PeerId id();

    /** {@return the transport of the current connection} For a relayed connection: of the hop to the relay. */
    Transport transport();

    /** {@return how the current connection was made} */
    Route route();

    /** {@return the remote address of the current connection} For a relayed connection: the relay's. */
    InetSocketAddress remoteAddress();

    /** {@return true until the connection is closed or lost} */
    boolean isOpen();

    /**
     * Sends one message with {@link Priority#HIGH}: blocks while the send queue is full (backpressure),
     * never drops it silently.
     *
     * @param message the bytes to send, at most {@link CrustConfig#maxMessageBytes()}
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
     * @param message  the bytes to send, at most {@link CrustConfig#maxMessageBytes()}
     * @param priority which of the connection's two send queues the message joins
     * @throws CrustException as for {@link #send(byte[])}
     */
    void send(byte[] message, Priority priority) throws CrustException;

    /**
     * Waits up to {@code timeout} for this peer's next message ({@link MessageDelivery#PER_PEER}).
     * Messages arrive in the order the peer sent them. While the application does not receive, the
     * peer's inbox fills and then this peer's connection is no longer read, which slows this peer's
     * sends and no other peer's.
     *
     * @param timeout how long to wait
     * @return the message's bytes, owned by the caller
     * @throws CrustTimeoutException if no message arrived within {@code timeout}
     * @throws CrustException if the peer is gone (lost, closed, or the node closed) and every message
     *     that arrived before has been received; the message says why
     * @throws InterruptedException if the calling thread is interrupted while waiting
     * @throws IllegalStateException if the node delivers messages as events ({@link MessageDelivery#EVENTS})
     */
    byte[] receive(Duration timeout) throws CrustException, InterruptedException;

    /**
     * Waits, without a time limit, for this peer's next message; as {@link #receive(Duration)}.
     *
     * @return the message's bytes, owned by the caller
     * @throws CrustException if the peer is gone and every message that arrived before has been received
     * @throws InterruptedException if the calling thread is interrupted while waiting
     * @throws IllegalStateException if the node delivers messages as events ({@link MessageDelivery#EVENTS})
     */
    byte[] receive() throws CrustException, InterruptedException;

    /**
     * Closes the connection (without a {@link CrustEvent.PeerLost} event); idempotent. Messages
     * already received stay where they are ({@link #receive} still hands over the inbox's, then says
     * the peer was closed); messages still arriving are dropped with the connection.
     */
    @Override
    void close();
}
