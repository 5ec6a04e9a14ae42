package io.crust.udt.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * The portable {@link DatagramIo} of a socket the endpoint opened itself: a {@code DatagramSocket}'s
 * blocking {@code receive} and {@code send}, one datagram each.
 *
 * <p>Why a socket and not a channel: a platform thread blocked in a {@code DatagramSocket}'s
 * {@code receive} may be interrupted without closing the socket (a {@code DatagramChannel} closes
 * itself), so an application thread waiting for a message can read the socket itself
 * ({@link SocketTurn}), as on the fast path; it sees its interrupt at the receive timeout of
 * {@value #RECEIVE_TIMEOUT_MILLIS} ms. A virtual thread interrupted in a socket call still closes the
 * socket, so virtual threads never read it, and a send clears the caller's interrupt flag for the call
 * (see {@link JdkDatagramIo}).
 *
 * <p>Buffers are backed by arrays ({@link #allocate}): the datagram goes between the array and the
 * kernel with the JDK's one copy, as a direct buffer does through a channel.
 */
final class SocketDatagramIo implements DatagramIo {
    static final int RECEIVE_TIMEOUT_MILLIS = 1000;
    private static final byte[] NO_BYTES = new byte[0];

    private final DatagramSocket socket;
    /** The packet the turn's holder receives into; it points at the batch's buffer (turn holder only). */
    private final DatagramPacket received;
    /** The last source, reused while datagrams keep coming from it (turn holder only). */
    private InetSocketAddress lastSource;
    /** One packet per sending thread, pointed at each datagram in turn. */
    private final ThreadLocal<DatagramPacket> sending = ThreadLocal.withInitial(() -> new DatagramPacket(NO_BYTES, 0));

    SocketDatagramIo(DatagramSocket socket) throws SocketException {
        this.socket = socket;
        socket.setSoTimeout(RECEIVE_TIMEOUT_MILLIS);
        this.received = new DatagramPacket(NO_BYTES, 0);
    }

    @Override
    public int receive(ReceivedBatch batch) throws IOException {
        int n;
        do {
            n = receiveOrTimeout(batch);
        } while (n == 0);
        return n;
    }

    @Override
    public int receiveOrTimeout(ReceivedBatch batch) throws IOException {
        ByteBuffer buffer = batch.datagrams[0];
        received.setData(buffer.array(), buffer.arrayOffset(), buffer.capacity());
        try {
            socket.receive(received);
        } catch (SocketTimeoutException e) {
            return 0;
        } catch (SocketException e) {
            if (socket.isClosed()) {
                throw new ClosedChannelException();
            }
            throw e;
        }
        buffer.clear().limit(received.getLength());
        InetAddress address = received.getAddress();
        int port = received.getPort();
        InetSocketAddress source = lastSource;
        // The JDK hands back the same address object while the source does not change; equals would
        // also match a link-local IPv6 address of another interface (it ignores the scope).
        if (source == null || source.getPort() != port || source.getAddress() != address) {
            source = new InetSocketAddress(address, port);
            lastSource = source;
        }
        batch.sources[0] = source;
        batch.count = 1;
        return 1;
    }

    @Override
    public boolean readerMayLead() {
        return true;
    }

    @Override
    public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        DatagramPacket packet = sending.get();
        if (datagram.hasArray()) {
            packet.setData(datagram.array(), datagram.arrayOffset() + datagram.position(), datagram.remaining());
        } else {
            byte[] copy = new byte[datagram.remaining()]; // a caller's direct buffer (sendRaw); ours come from allocate
            datagram.duplicate().get(copy);
            packet.setData(copy);
        }
        packet.setSocketAddress(to);
        boolean interrupted = Thread.interrupted();
        try {
            socket.send(packet);
        } catch (SocketException e) {
            if (socket.isClosed()) {
                throw new ClosedChannelException();
            }
            throw e;
        } finally {
            packet.setData(NO_BYTES); // the thread's packet must not keep a closed connection's buffer
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        datagram.position(datagram.limit());
    }

    @Override
    public ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocate(bytes);
    }

    @Override
    public String name() {
        return "jdk";
    }
}
