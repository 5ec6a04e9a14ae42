package io.crust.core.proof;

import io.crust.core.Identity;
import io.crust.core.frame.FrameTransport;
import io.crust.core.frame.TcpFrameTransport;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile peer with a real identity: it completes the Noise handshake with a node, then uses the
 * secure channel directly, below the node API, so it can send what a {@code CrustNode} never would.
 * Its transport can be told to let only the next {@code n} frames out and fail the rest: a message can
 * then announce a size in its first frame without the sender ever producing the remaining bytes.
 */
final class RawPeer implements AutoCloseable {
    private final Identity identity;
    private final Socket socket;
    private final Gate gate;
    private final SecureChannel channel;

    private RawPeer(Identity identity, Socket socket, Gate gate, SecureChannel channel) {
        this.identity = identity;
        this.socket = socket;
        this.gate = gate;
        this.channel = channel;
    }

    /** Dials {@code address} and completes the handshake; the channel accepts messages up to {@code maxMessageBytes}. */
    static RawPeer connect(InetSocketAddress address, String networkName, int maxMessageBytes) throws IOException {
        return connect(address, networkName, maxMessageBytes, null);
    }

    /** As {@link #connect(InetSocketAddress, String, int)}, from source address {@code from} (any if null). */
    static RawPeer connect(InetSocketAddress address, String networkName, int maxMessageBytes, InetAddress from)
            throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        socket.connect(address, 10_000);
        Gate gate = new Gate(new TcpFrameTransport(socket, TcpFrameTransport.MAX_FRAME_BYTES));
        HandshakeParams params = new HandshakeParams(networkName, HandshakeParams.CURRENT_PROTOCOL_VERSION,
                Duration.ofSeconds(30), maxMessageBytes);
        Identity me = Identity.generate();
        try {
            return new RawPeer(me, socket, gate, SecureChannel.initiate(gate, me, null, params));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    Identity identity() {
        return identity;
    }

    SecureChannel channel() {
        return channel;
    }

    /** From now on only {@code frames} more frames leave; later writes fail without touching the socket. */
    void letOnly(int frames) {
        gate.allowed.set(frames);
    }

    /**
     * Waits until the node closes the TCP connection, discarding what it sends; true if it did within
     * {@code timeout}. Reads the socket directly, under the channel.
     */
    boolean awaitClosedByRemote(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[65536];
            while (in.read(sink) >= 0) {
                // heartbeats, HELLO: not read as frames any more
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A transport that passes frames through until its allowance runs out, and never closes the socket itself. */
    private static final class Gate implements FrameTransport {
        private final TcpFrameTransport inner;
        final AtomicInteger allowed = new AtomicInteger(Integer.MAX_VALUE);

        Gate(TcpFrameTransport inner) {
            this.inner = inner;
        }

        @Override
        public void writeFrame(byte[] frame, int offset, int length) throws IOException {
            if (allowed.getAndDecrement() <= 0) {
                throw new IOException("held back by the test");
            }
            inner.writeFrame(frame, offset, length);
        }

        @Override
        public byte[] readFrame() throws IOException {
            return inner.readFrame();
        }

        @Override
        public int maxFrameBytes() {
            return inner.maxFrameBytes();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return inner.remoteAddress();
        }

        @Override
        public void close() {
            // The test closes the socket; the channel closing on a held-back write must not reset it first.
        }
    }
}
