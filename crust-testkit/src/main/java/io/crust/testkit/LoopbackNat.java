package io.crust.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A NAT for one inside host and one outside server, on loopback: the host sends to {@link #inside()},
 * and the server sees the datagrams come from the NAT's current mapping socket, whose answers go
 * back to the host. {@link #rebind()} forgets the mapping as a NAT does after a flush or a reboot: a new
 * mapping socket (a new source port) carries the host's next datagrams, and what the server sends to
 * the old one is lost. UDP only. One forwarding virtual thread per socket; {@link #close()} closes the
 * sockets, which ends them.
 */
public final class LoopbackNat implements AutoCloseable {
    private final InetSocketAddress server;
    private final DatagramChannel inside;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Thread> threads = new ArrayList<>();
    private volatile DatagramChannel mapping;
    private volatile InetSocketAddress host;

    /** A NAT in front of one host that talks to {@code server} through it. */
    public LoopbackNat(InetSocketAddress server) throws IOException {
        this.server = server;
        this.inside = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.mapping = newMapping();
        start("inside", this::forwardOut);
    }

    /** Where the inside host sends to reach the server. */
    public InetSocketAddress inside() throws IOException {
        return (InetSocketAddress) inside.getLocalAddress();
    }

    /** The address the server sees the host's datagrams come from now. */
    public InetSocketAddress mappingAddress() throws IOException {
        return (InetSocketAddress) mapping.getLocalAddress();
    }

    /** Forgets the mapping: the next datagrams leave from a new port, the old port is gone. */
    public void rebind() throws IOException {
        lock.lock();
        try {
            DatagramChannel old = mapping;
            mapping = newMapping();
            old.close();
        } finally {
            lock.unlock();
        }
    }

    private DatagramChannel newMapping() throws IOException {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        start("mapping-" + ((InetSocketAddress) channel.getLocalAddress()).getPort(), () -> forwardIn(channel));
        return channel;
    }

    private void start(String name, Runnable loop) {
        lock.lock();
        try {
            threads.add(Thread.ofVirtual().name("loopback-nat-" + name).start(loop));
        } finally {
            lock.unlock();
        }
    }

    /** Host to server, from whichever mapping is current. */
    private void forwardOut() {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        while (true) {
            buffer.clear();
            try {
                host = (InetSocketAddress) inside.receive(buffer);
                buffer.flip();
                try {
                    mapping.send(buffer, server);
                } catch (ClosedChannelException rebound) {
                    // the mapping was replaced while this datagram was on its way: lost, as in a router
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Server to host, through one mapping until it is forgotten. */
    private void forwardIn(DatagramChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        while (true) {
            buffer.clear();
            try {
                channel.receive(buffer);
                buffer.flip();
                if (host != null) {
                    inside.send(buffer, host);
                }
            } catch (IOException e) {
                return; // closed: forgotten by a rebinding, or the NAT closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        inside.close();
        mapping.close();
        lock.lock();
        List<Thread> all;
        try {
            all = List.copyOf(threads);
        } finally {
            lock.unlock();
        }
        for (Thread t : all) {
            try {
                t.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
