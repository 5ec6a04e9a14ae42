package io.crust.nat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A standalone {@link DatagramPort} over a blocking {@link DatagramChannel}. Receives with a
 * timeout go through the channel's socket adaptor, which parks a virtual thread instead of
 * pinning it.
 */
public final class DatagramChannelPort implements DatagramPort {
    /** Large enough for any STUN message we accept (RFC 8489 section 6.1 keeps them under the MTU). */
    private static final int MAX_DATAGRAM_BYTES = 2048;

    private final DatagramChannel channel;
    private final DatagramSocket socket;
    private final InetSocketAddress localAddress;
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final byte[] receiveBuffer = new byte[MAX_DATAGRAM_BYTES];

    private DatagramChannelPort(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.socket = channel.socket();
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Opens a port bound to {@code local}, IPv6 when its address is, IPv4 otherwise.
     *
     * @param local the address to bind; port 0 picks a free port
     * @return the open port; the caller closes it
     * @throws IOException when the address cannot be bound
     */
    public static DatagramChannelPort open(InetSocketAddress local) throws IOException {
        DatagramChannel channel = DatagramChannel.open(local.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.bind(local);
            return new DatagramChannelPort(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Wraps a bound channel that is in blocking mode and registered with no selector; the port
     * owns it from now on.
     *
     * @param channel a bound, blocking channel
     * @return the port; closing it closes the channel
     * @throws IllegalArgumentException if the channel is not bound or not in blocking mode
     * @throws IOException when the channel's local address cannot be read
     */
    public static DatagramChannelPort of(DatagramChannel channel) throws IOException {
        if (!channel.isBlocking() || channel.getLocalAddress() == null) {
            throw new IllegalArgumentException("the channel must be bound and in blocking mode");
        }
        return new DatagramChannelPort(channel);
    }

    /** {@return the underlying channel, for callers that take the socket over after a punch} */
    public DatagramChannel channel() {
        return channel;
    }

    @Override
    public void send(ByteBuffer data, InetSocketAddress target) throws IOException {
        channel.send(data, target);
    }

    @Override
    public Datagram receive(Duration timeout) throws IOException {
        long millis = Math.max(1, timeout.toMillis());
        receiveLock.lock();
        try {
            if (!channel.isOpen()) {
                throw new ClosedChannelException();
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, millis));
            DatagramPacket packet = new DatagramPacket(receiveBuffer, receiveBuffer.length);
            socket.receive(packet); // SocketTimeoutException when the timeout passes
            byte[] copy = java.util.Arrays.copyOfRange(receiveBuffer, 0, packet.getLength());
            return new Datagram(ByteBuffer.wrap(copy), (InetSocketAddress) packet.getSocketAddress());
        } catch (java.net.SocketException e) {
            if (!channel.isOpen()) {
                throw (ClosedChannelException) new ClosedChannelException().initCause(e);
            }
            throw e;
        } finally {
            receiveLock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "DatagramChannelPort[" + localAddress + "]";
    }
}
