package io.crust.udt;

import io.crust.udt.transport.ConnectionDriver;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A reliable, ordered, congestion-controlled connection over UDP, made by a {@link UdtEndpoint}.
 *
 * <p>It carries messages: {@link #send(byte[])} and {@link #receive()} keep their boundaries (each
 * message travels as a 4-byte length and its bytes on one ordered byte stream, cut into datagrams as
 * the path allows). {@link #inputStream()} and {@link #outputStream()} are a byte-stream view of the
 * same messages: each write becomes a message, reads concatenate messages. Use one view per direction.
 *
 * <p>All methods are blocking and safe to call from any thread; one sender and one receiver at a time
 * make sense. A call given a {@link Duration} that runs out of time throws
 * {@link SocketTimeoutException}, as {@link UdtEndpoint#connect} and {@link UdtEndpoint#accept} do;
 * none returns {@code null} or {@code false} for a timeout. Memory is bounded: senders block while
 * {@link UdtConfig#sendBufferBytes()} is full, and the peer may never send beyond the receive window
 * this side advertises.
 */
public final class UdtConnection implements AutoCloseable {

    private final ConnectionDriver driver;
    private final InputStream in;
    private final OutputStream out;

    UdtConnection(ConnectionDriver driver) {
        this.driver = driver;
        this.in = new MessageInputStream(driver);
        this.out = new MessageOutputStream(driver);
        UdtStatisticsEvent.opened(this);
    }

    /**
     * Queues one message, blocking while the send buffer is full.
     *
     * @param message the message; not copied until it is queued, so leave it alone until this returns
     * @throws UdtException if the message exceeds {@link UdtConfig#maxMessageBytes()} or the connection has failed or closed
     * @throws java.io.InterruptedIOException if interrupted while blocked (the flag is kept)
     */
    public void send(byte[] message) throws IOException {
        driver.sendMessage(message, 0, message.length, -1);
    }

    /**
     * Queues {@code length} bytes of {@code buffer} from {@code offset} as one message, blocking while
     * the send buffer is full; the bytes are copied before this returns, so the array may be reused.
     *
     * @param buffer holds the message
     * @param offset where the message starts in {@code buffer}
     * @param length the message's length in bytes
     * @throws UdtException if the message exceeds {@link UdtConfig#maxMessageBytes()} or the connection has failed or closed
     * @throws IndexOutOfBoundsException if the range lies outside {@code buffer}
     * @throws java.io.InterruptedIOException if interrupted while blocked (the flag is kept)
     */
    public void send(byte[] buffer, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, buffer.length);
        driver.sendMessage(buffer, offset, length, -1);
    }

    /**
     * Queues one message if the send buffer makes room for all of it within {@code timeout}.
     *
     * @param message the message
     * @param timeout how long to wait for room; zero or negative: do not wait
     * @throws SocketTimeoutException if there was no room within {@code timeout}; nothing of the
     *     message was queued
     * @throws UdtException if the message is too large or the connection has failed or closed
     * @throws java.io.InterruptedIOException if interrupted while blocked (the flag is kept)
     */
    public void send(byte[] message, Duration timeout) throws IOException {
        if (!driver.sendMessage(message, 0, message.length, nanos(timeout))) {
            throw new SocketTimeoutException("no room in the send buffer within " + timeout.toMillis() + " ms");
        }
    }

    /**
     * Waits for the next message. A platform thread waiting here reads the endpoint's socket itself
     * (unless the endpoint runs on a channel it was given, {@link UdtEndpoint#open}) (for every connection of the endpoint) rather than being woken by the
     * receive loop; an interrupt then ends the wait within about a second, when the socket's receive
     * timeout passes, or at the next datagram.
     *
     * @return the message
     * @throws EOFException if the peer closed gracefully and every message has been received
     * @throws UdtException if the connection failed (idle timeout, aborted, announced message too large) or was closed here
     * @throws java.io.InterruptedIOException if interrupted while waiting (the flag is kept)
     */
    public byte[] receive() throws IOException {
        return driver.receiveMessage(-1);
    }

    /**
     * Waits up to {@code timeout} for the next message.
     *
     * @param timeout how long to wait; zero or negative: do not wait
     * @return the message
     * @throws SocketTimeoutException if no message arrived within {@code timeout}
     * @throws EOFException if the peer closed gracefully and every message has been received
     * @throws UdtException if the connection failed or was closed here
     * @throws java.io.InterruptedIOException if interrupted while waiting (the flag is kept)
     */
    public byte[] receive(Duration timeout) throws IOException {
        byte[] message = driver.receiveMessage(nanos(timeout));
        if (message == null) {
            throw new SocketTimeoutException("no message within " + timeout.toMillis() + " ms");
        }
        return message;
    }

    /**
     * {@return the byte-stream view of received messages} Its {@code read} returns -1 after the peer's
     * graceful close. Use either this or {@link #receive()}: {@code receive} refuses to start while the
     * stream view is half-way through a message.
     */
    public InputStream inputStream() {
        return in;
    }

    /** {@return the byte-stream view for sending} Each {@code write} sends its bytes as one or more messages. */
    public OutputStream outputStream() {
        return out;
    }

    /** {@return the peer's address} */
    public InetSocketAddress remoteAddress() {
        return driver.remoteAddress();
    }

    /** {@return the local endpoint's address} */
    public InetSocketAddress localAddress() {
        return driver.localAddress();
    }

    /** {@return a snapshot of RTT, congestion window, loss and byte counters} */
    public ConnectionStats stats() {
        return driver.stats();
    }

    /**
     * Graceful close: waits until the peer has acknowledged everything sent, then tells the peer
     * and releases the connection. Gives up (aborts) when the peer acknowledges nothing for
     * {@link UdtConfig#closeTimeout()}. Ends both directions. Idempotent.
     *
     * @throws UdtException if the peer stopped acknowledging or the connection had failed
     */
    @Override
    public void close() throws IOException {
        UdtStatisticsEvent.closed(this);
        driver.close();
    }

    /** Immediate close: discards unsent data, tells the peer (best effort) and releases the connection. */
    public void abort() {
        UdtStatisticsEvent.closed(this);
        driver.abort();
    }

    private static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return timeout.isNegative() ? 0 : timeout.toNanos();
    }

    @Override
    public String toString() {
        return "UdtConnection[" + driver.localAddress() + " -> " + driver.remoteAddress() + "]";
    }
}
