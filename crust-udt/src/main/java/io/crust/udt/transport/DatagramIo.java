package io.crust.udt.transport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an endpoint moves datagrams through its socket. Three implementations with the same behaviour:
 * <ul>
 *   <li>{@link SocketDatagramIo}, everywhere, for a socket the endpoint opened itself: one
 *       {@code DatagramSocket} call per datagram;</li>
 *   <li>{@link JdkDatagramIo}, everywhere, for a channel handed to the endpoint (a punched socket): one
 *       {@code DatagramChannel} call per datagram;</li>
 *   <li>{@code LinuxDatagramIo} (JDK 22+, Linux, the module granted native access): {@code recvmmsg}
 *       receives a batch of datagrams per system call, and {@code sendmsg} with {@code UDP_SEGMENT}
 *       (generic segmentation offload) hands the kernel up to 64 same-size datagrams in one call.</li>
 * </ul>
 * The fast path is compiled for release 22 and loaded by name only on a runtime that has the
 * foreign function API, so the library still runs on Java 21.
 */
interface DatagramIo {
    /**
     * Blocks until at least one datagram arrives and fills {@code batch} with as many as are queued
     * (at most its capacity).
     *
     * @return the number of datagrams received
     * @throws java.nio.channels.ClosedChannelException once the socket is closed
     */
    int receive(ReceivedBatch batch) throws IOException;

    /**
     * As {@link #receive}, but returns 0 when the socket's receive timeout (about a second) passes with
     * nothing, so that an application thread reading the socket can look at its interrupt status. Only
     * called where {@link #readerMayLead()}.
     */
    int receiveOrTimeout(ReceivedBatch batch) throws IOException;

    /**
     * Whether an application thread waiting for a message may read the socket itself ({@link SocketTurn}).
     * Not on a {@code DatagramChannel}: interrupting a thread blocked in its {@code receive} closes the
     * channel, which would end every connection of the endpoint. A {@code DatagramSocket}'s
     * {@code receive} on a platform thread and the fast path's {@code recvmmsg} are not interruptible,
     * and both return at the socket's receive timeout.
     */
    boolean readerMayLead();

    /** Sends one datagram (the buffer's remaining bytes). */
    void send(ByteBuffer datagram, InetSocketAddress to) throws IOException;

    /**
     * Sends the buffer's remaining bytes as datagrams of {@code segmentBytes} each (the last may be
     * shorter), in one call where the kernel segments them, else one by one.
     */
    default void sendSegments(ByteBuffer datagrams, int segmentBytes, InetSocketAddress to) throws IOException {
        int end = datagrams.limit();
        while (datagrams.position() < end) {
            datagrams.limit(Math.min(end, datagrams.position() + segmentBytes));
            send(datagrams, to);
        }
        datagrams.limit(end);
    }

    /** How many datagrams {@link #sendSegments} takes per call; 1 when it sends them one by one. */
    default int maxSegments() {
        return 1;
    }

    /** How many datagrams {@link #receive} can return per call. */
    default int receiveBatchSize() {
        return 1;
    }

    /** Makes a blocked {@link #receive} return, before the channel is closed. */
    default void wakeReceiver() {
        // closing the socket ends a blocked receive
    }

    /** Which implementation this is, for logs and benchmarks: "jdk", "jdk-channel" or "linux-gso". */
    String name();

    /**
     * A buffer this path receives into and sends from without copying: direct for a channel and for the
     * fast path's native calls, backed by an array for a {@code DatagramSocket}.
     */
    default ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocateDirect(bytes);
    }

    /**
     * The fast path for {@code channel} where the runtime, the system and {@code allowed} permit it, else
     * the JDK path on the channel.
     *
     * @param allowed the configuration's choice ({@code -Dcrust.udt.fastPath=false} also turns it off)
     */
    static DatagramIo open(DatagramChannel channel, int maxDatagramBytes, boolean allowed) throws IOException {
        return fastPathOr((InetSocketAddress) channel.getLocalAddress(), maxDatagramBytes, allowed,
                () -> new JdkDatagramIo(channel));
    }

    /** As {@link #open(DatagramChannel, int, boolean)}, for a socket the endpoint opened itself. */
    static DatagramIo open(DatagramSocket socket, int maxDatagramBytes, boolean allowed) throws IOException {
        DatagramIo fast = fastPathOr((InetSocketAddress) socket.getLocalSocketAddress(), maxDatagramBytes, allowed, () -> null);
        return fast != null ? fast : new SocketDatagramIo(socket);
    }

    private static DatagramIo fastPathOr(InetSocketAddress local, int maxDatagramBytes, boolean allowed,
            Supplier<DatagramIo> jdkPath) {
        if (allowed && Boolean.parseBoolean(System.getProperty("crust.udt.fastPath", "true"))
                && Runtime.version().feature() >= 22 && System.getProperty("os.name", "").equals("Linux")) {
            try {
                Object io = Class.forName("io.crust.udt.transport.LinuxDatagramIo")
                        .getMethod("openIfPossible", InetSocketAddress.class, int.class)
                        .invoke(null, local, maxDatagramBytes);
                if (io != null) {
                    return (DatagramIo) io;
                }
            } catch (ReflectiveOperationException | LinkageError e) {
                Holder.LOG.debug("the Linux fast path is not available: {}", e.toString());
            }
        }
        return jdkPath.get();
    }

    /** The interface's logger (interfaces cannot have private static fields). */
    final class Holder {
        static final Logger LOG = LoggerFactory.getLogger(DatagramIo.class);

        private Holder() {
        }
    }
}
