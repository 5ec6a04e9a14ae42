package io.crust.udt;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A reliable, ordered, congestion-controlled connection over UDP, made by a {@link UdtEndpoint}.
 *
 * <p>It carries messages: {@link #send(byte[])} and {@link #receive()} keep their boundaries (each
 * message travels as a 4-byte length and its bytes on one ordered byte stream, cut into datagrams as
 * the path allows). {@link #inputStream()} and {@link #outputStream()} are a byte-stream view of the
 * same messages: each write becomes a message, reads concatenate messages. Use one view per direction.
 *
 * <p>All methods are blocking and safe to call from any thread; one sender and one receiver at a time
 * make sense. Memory is bounded: senders block while {@link UdtConfig#sendBufferBytes()} is full,
 * and the peer may never send beyond the receive window this side advertises.
 */
public final class UdtConnection implements AutoCloseable {

    private UdtConnection() {
    }

    /**
     * Queues one message, blocking while the send buffer is full.
     *
     * @throws UdtException if the message exceeds {@link UdtConfig#maxMessageBytes()} or the connection has failed or closed
     * @throws java.io.InterruptedIOException if interrupted while blocked (the flag is kept)
     */
    public void send(byte[] message) throws IOException {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /**
     * Queues one message if the send buffer makes room for all of it within {@code timeout}.
     *
     * @return false on timeout, in which case nothing of the message was queued
     * @throws UdtException if the message is too large or the connection has failed or closed
     * @throws java.io.InterruptedIOException if interrupted while blocked (the flag is kept)
     */
    public boolean send(byte[] message, Duration timeout) throws IOException {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /**
     * Waits for the next message.
     *
     * @throws EOFException if the peer closed gracefully and every message has been received
     * @throws UdtException if the connection failed (idle timeout, aborted, announced message too large) or was closed here
     * @throws java.io.InterruptedIOException if interrupted while waiting (the flag is kept)
     */
    public byte[] receive() throws IOException {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /**
     * Waits up to {@code timeout} for the next message.
     *
     * @return the message, or null on timeout
     * @throws EOFException if the peer closed gracefully and every message has been received
     * @throws UdtException if the connection failed or was closed here
     * @throws java.io.InterruptedIOException if interrupted while waiting (the flag is kept)
     */
    public byte[] receive(Duration timeout) throws IOException {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /** Byte-stream view of received messages; {@code read} returns -1 after the peer's graceful close. */
    public InputStream inputStream() {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /** Byte-stream view for sending: each {@code write} sends its bytes as one or more messages. */
    public OutputStream outputStream() {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /** The peer's address. */
    public InetSocketAddress remoteAddress() {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /** The local endpoint's address. */
    public InetSocketAddress localAddress() {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /** A snapshot of RTT, congestion window, loss and byte counters. */
    public ConnectionStats stats() {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /**
     * Graceful close: waits until the peer has acknowledged everything sent (at most
     * {@link UdtConfig#closeTimeout()}), then tells the peer and releases the connection. Ends both
     * directions. Idempotent.
     *
     * @throws UdtException if the data could not be delivered in time or the connection had failed
     */
    @Override
    public void close() throws IOException {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }

    /** Immediate close: discards unsent data, tells the peer (best effort) and releases the connection. */
    public void abort() {
        throw new UnsupportedOperationException("crust-udt connection not implemented yet");
    }
}
