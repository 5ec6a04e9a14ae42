package io.crust.udt.transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Linux fast path of {@link DatagramIo}, through the foreign function API (JDK 22+) on the same
 * socket as the endpoint's {@code DatagramSocket} or {@code DatagramChannel}:
 * <ul>
 *   <li>receive: one blocking {@code recvmmsg(MSG_WAITFORONE)} waits for a datagram and then takes
 *       whatever else is queued, up to {@link #receiveBatchSize()} buffers, in one system call (a
 *       receive timeout of {@value #RECEIVE_TIMEOUT_SECONDS} s makes it look at the closed flag now and
 *       then; where the socket refuses that timeout, {@code poll} until readable and then
 *       {@code recvmmsg(MSG_DONTWAIT)}, one system call more per wake-up). With {@code UDP_GRO} on (Linux 5.0+,
 *       where the buffers hold a whole 64 KiB) the kernel may hand over several datagrams of one sender
 *       in one buffer, all {@code gso_size} bytes but the last, and says so in a {@code UDP_GRO} control
 *       message: a segmented send crosses a veth or the loopback whole instead of being cut apart for
 *       the socket, and a NIC's receive offload can join a burst the same way. Such a buffer reaches
 *       the endpoint as its datagrams ({@link ReceivedBatch#segmentBytes});</li>
 *   <li>send: {@code sendmsg}; several same-size datagrams go in one call with a {@code UDP_SEGMENT}
 *       control message, and the kernel cuts them apart (UDP generic segmentation offload, Linux 4.18+).
 *       If the kernel refuses segmentation once, this endpoint sends one datagram per call from then on.</li>
 * </ul>
 * The structures, as Linux lays them out on 64-bit machines:
 * <pre>
 *   struct iovec    { void *iov_base; size_t iov_len; }                                       16 bytes
 *   struct msghdr   { void *msg_name; socklen_t msg_namelen; (pad 4) struct iovec *msg_iov;
 *                     size_t msg_iovlen; void *msg_control; size_t msg_controllen; int msg_flags;
 *                     (pad 4) }                                                                  56 bytes
 *   struct mmsghdr  { struct msghdr msg_hdr; unsigned int msg_len; (pad 4) }                    64 bytes
 *   struct cmsghdr  { size_t cmsg_len; int cmsg_level; int cmsg_type; } then data              16 bytes
 *   sockaddr_in     { u16 family; be16 port; be32 addr; u8 zero[8] }                             16 bytes
 *   sockaddr_in6    { u16 family; be16 port; u32 flowinfo; u8 addr[16]; u32 scope_id }          28 bytes
 * </pre>
 * The socket is found by its local address among the process's open descriptors (the JDK does not
 * expose a socket's descriptor); with no single match the JDK path is used.
 */
final class LinuxDatagramIo implements DatagramIo {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SOCK_DGRAM = 2;
    private static final int SOL_UDP = 17;
    private static final int UDP_SEGMENT = 103;
    private static final int UDP_GRO = 104;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_WAITFORONE = 0x10000;
    private static final int SO_RCVTIMEO = 20;
    /** Longest wait in a blocking receive before the loop looks at the closed flag again (a safety net: shutdown wakes it). */
    private static final int RECEIVE_TIMEOUT_SECONDS = 1;
    private static final int MSG_TRUNC = 0x20;
    private static final int SHUT_RD = 0;
    private static final short POLLIN = 1;
    private static final short POLLOUT = 4;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EBADF = 9;
    private static final int EMSGSIZE = 90;
    private static final int EIO = 5;
    private static final int EINVAL = 22;
    /** The kernel's UDP_MAX_SEGMENTS. */
    private static final int MAX_SEGMENTS = 64;
    /** Longest wait in poll before the loop looks at the closed flag again (a safety net: shutdown wakes it). */
    private static final int POLL_TIMEOUT_MILLIS = 1000;
    private static final long SEND_RETRY_NANOS = 50_000;
    private static final int SOCKADDR_BYTES = 28;
    private static final int MSGHDR_BYTES = 56;
    private static final int MMSGHDR_BYTES = 64;
    private static final int IOVEC_BYTES = 16;
    private static final int CMSG_SPACE_U16 = 24;
    private static final int CMSG_LEN_U16 = 18;
    /** CMSG_SPACE(sizeof(int)): room for the UDP_GRO control message per received buffer. */
    private static final int CMSG_SPACE_INT = 24;
    /** The largest datagram, and so the largest joined buffer (64 KiB less the IP and UDP headers). */
    private static final int MAX_UDP_PAYLOAD = 65_507;
    /** Receive batches stay within this much memory per endpoint. */
    private static final int RECEIVE_BATCH_BYTES = 512 * 1024;
    private static final int MAX_RECEIVE_BATCH = 32;

    private final int fd;
    private final boolean ipv6Socket;
    private final int batchSize;
    /** Whether a receive blocks in {@code recvmmsg} itself (a receive timeout was accepted) instead of in {@code poll}. */
    private final boolean blockingReceive;
    /** Whether the kernel may join received datagrams ({@code UDP_GRO} accepted, buffers big enough). */
    private final boolean receiveJoined;
    private final AtomicBoolean segmentation = new AtomicBoolean(true);
    private volatile boolean closing;

    // The receive thread's memory (one receiver at a time).
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment receiveHeaders;
    private final MemorySegment receiveIovecs;
    private final MemorySegment receiveNames;
    private final MemorySegment receiveControls;
    private final MemorySegment pollFd;
    private final MemorySegment receiveErrno;
    /** Per slot, the sockaddr bytes of the last source decoded there (compared, not copied out, per datagram). */
    private final MemorySegment lastNames;
    private final InetSocketAddress[] lastSources;
    private ReceivedBatch boundBatch;

    // Senders' memory, one sender at a time (several connections may share the socket).
    private final ReentrantLock sendLock = new ReentrantLock();
    private final MemorySegment sendHeader;
    private final MemorySegment sendIovec;
    private final MemorySegment sendName;
    private final MemorySegment sendControl;
    private final MemorySegment sendErrno;
    private final MemorySegment sendPollFd;
    private InetSocketAddress lastDestination;

    private LinuxDatagramIo(int fd, int family, int maxDatagramBytes, boolean receiveJoined) {
        this.fd = fd;
        this.blockingReceive = setReceiveTimeout(fd);
        this.receiveJoined = receiveJoined;
        this.ipv6Socket = family == AF_INET6;
        this.batchSize = Math.max(1, Math.min(MAX_RECEIVE_BATCH, RECEIVE_BATCH_BYTES / maxDatagramBytes));
        receiveHeaders = arena.allocate((long) MMSGHDR_BYTES * batchSize, 8);
        receiveIovecs = arena.allocate((long) IOVEC_BYTES * batchSize, 8);
        receiveNames = arena.allocate((long) SOCKADDR_BYTES * batchSize, 8);
        receiveControls = arena.allocate((long) CMSG_SPACE_INT * batchSize, 8);
        pollFd = arena.allocate(8, 8);
        receiveErrno = arena.allocate(Native.CAPTURE);
        lastNames = arena.allocate((long) SOCKADDR_BYTES * batchSize, 8);
        lastSources = new InetSocketAddress[batchSize];
        sendHeader = arena.allocate(MSGHDR_BYTES, 8);
        sendIovec = arena.allocate(IOVEC_BYTES, 8);
        sendName = arena.allocate(SOCKADDR_BYTES, 8);
        sendControl = arena.allocate(CMSG_SPACE_U16, 8);
        sendErrno = arena.allocate(Native.CAPTURE);
        sendPollFd = arena.allocate(8, 8);
    }

    /**
     * The fast path for the socket bound to {@code local}, or null where it cannot be used: the module lacks native access
     * ({@code --enable-native-access}), the machine is not 64-bit, or the socket is not found.
     */
    public static DatagramIo openIfPossible(InetSocketAddress local, int maxDatagramBytes) throws IOException {
        if (!LinuxDatagramIo.class.getModule().isNativeAccessEnabled() || ValueLayout.ADDRESS.byteSize() != 8) {
            return null;
        }
        if (local == null) {
            return null;
        }
        int found = -1;
        int family = 0;
        try (Arena scratch = Arena.ofConfined();
             DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            MemorySegment name = scratch.allocate(SOCKADDR_BYTES, 8);
            MemorySegment length = scratch.allocate(ValueLayout.JAVA_INT);
            MemorySegment state = scratch.allocate(Native.CAPTURE);
            for (Path entry : fds) {
                int candidate;
                try {
                    candidate = Integer.parseInt(entry.getFileName().toString());
                    if (!Files.readSymbolicLink(entry).toString().startsWith("socket:")) {
                        continue;
                    }
                } catch (NumberFormatException | IOException e) {
                    continue;
                }
                if (intOption(candidate, SOL_SOCKET, SO_TYPE, scratch, state) != SOCK_DGRAM) {
                    continue;
                }
                length.set(ValueLayout.JAVA_INT, 0, SOCKADDR_BYTES);
                if ((int) Native.GETSOCKNAME.invokeExact(state, candidate, name, length) != 0) {
                    continue;
                }
                InetSocketAddress bound = decode(name);
                if (bound != null && bound.getPort() == local.getPort() && sameHost(bound.getAddress(), local.getAddress())) {
                    if (found >= 0) {
                        return null; // two sockets on that address (SO_REUSEPORT): not sure which one
                    }
                    found = candidate;
                    family = name.get(ValueLayout.JAVA_SHORT, 0);
                }
            }
        } catch (Throwable e) {
            if (e instanceof IOException io) {
                throw io;
            }
            return null;
        }
        return found < 0 ? null : new LinuxDatagramIo(found, family, maxDatagramBytes,
                maxDatagramBytes >= MAX_UDP_PAYLOAD && enableJoinedReceive(found));
    }

    /** Sets {@code SO_RCVTIMEO} to {@value #RECEIVE_TIMEOUT_SECONDS} s ({@code struct timeval}: seconds, microseconds); false if refused. */
    private static boolean setReceiveTimeout(int fd) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment timeout = scratch.allocate(16, 8);
            timeout.set(ValueLayout.JAVA_LONG, 0, RECEIVE_TIMEOUT_SECONDS);
            timeout.set(ValueLayout.JAVA_LONG, 8, 0);
            MemorySegment state = scratch.allocate(Native.CAPTURE);
            return (int) Native.SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Asks the kernel for joined datagrams ({@code setsockopt(SOL_UDP, UDP_GRO, 1)}); false if it refuses. */
    private static boolean enableJoinedReceive(int fd) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment one = scratch.allocate(ValueLayout.JAVA_INT);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            MemorySegment state = scratch.allocate(Native.CAPTURE);
            return (int) Native.SETSOCKOPT.invokeExact(state, fd, SOL_UDP, UDP_GRO, one, 4) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    private static boolean sameHost(InetAddress a, InetAddress b) {
        return a.equals(b) || (a.isAnyLocalAddress() && b.isAnyLocalAddress());
    }

    private static int intOption(int fd, int level, int option, Arena scratch, MemorySegment state) throws Throwable {
        MemorySegment value = scratch.allocate(ValueLayout.JAVA_INT);
        MemorySegment length = scratch.allocate(ValueLayout.JAVA_INT);
        length.set(ValueLayout.JAVA_INT, 0, 4);
        int r = (int) Native.GETSOCKOPT.invokeExact(state, fd, level, option, value, length);
        return r == 0 ? value.get(ValueLayout.JAVA_INT, 0) : -1;
    }

    // ------------------------------------------------------------------ receive

    @Override
    public int receive(ReceivedBatch batch) throws IOException {
        return receive(batch, false);
    }

    @Override
    public int receiveOrTimeout(ReceivedBatch batch) throws IOException {
        return receive(batch, true);
    }

    @Override
    public boolean readerMayLead() {
        return blockingReceive;
    }

    private int receive(ReceivedBatch batch, boolean returnOnTimeout) throws IOException {
        if (boundBatch != batch) {
            bind(batch);
        }
        while (true) {
            if (closing) {
                throw new ClosedChannelException();
            }
            for (int i = 0; i < batchSize; i++) {
                long header = (long) i * MMSGHDR_BYTES;
                receiveHeaders.set(ValueLayout.JAVA_INT, header + 8, SOCKADDR_BYTES); // msg_namelen
                receiveHeaders.set(ValueLayout.JAVA_INT, header + 48, 0);             // msg_flags
                if (receiveJoined) {
                    receiveHeaders.set(ValueLayout.JAVA_LONG, header + 40, CMSG_SPACE_INT); // msg_controllen
                }
                receiveIovecs.set(ValueLayout.JAVA_LONG, (long) i * IOVEC_BYTES + 8, batch.datagrams[i].capacity());
            }
            int n;
            try {
                n = (int) Native.RECVMMSG.invokeExact(receiveErrno, fd, receiveHeaders, batchSize,
                        blockingReceive ? MSG_WAITFORONE : MSG_DONTWAIT, MemorySegment.NULL);
            } catch (Throwable e) {
                throw new IOException("recvmmsg failed", e);
            }
            if (closing || n == 0) {
                // Shut down for reading (wakeReceiver): a blocked recvmmsg returns empty "datagrams" then.
                throw new ClosedChannelException();
            }
            if (n > 0) {
                return fill(batch, n);
            }
            int errno = (int) Native.ERRNO.get(receiveErrno, 0L);
            if (errno == EAGAIN || errno == EINTR) {
                if (!blockingReceive) {
                    awaitReadable();
                } else if (returnOnTimeout && errno == EAGAIN) {
                    return 0;
                } // else the receive timeout passed: look at the closed flag, then wait again
            } else if (errno == EBADF || closing) {
                throw new ClosedChannelException();
            } else {
                throw new SocketException("recvmmsg: errno " + errno);
            }
        }
    }

    private void bind(ReceivedBatch batch) {
        if (batch.datagrams.length < batchSize) {
            throw new IllegalArgumentException("batch of " + batch.datagrams.length + ", " + batchSize + " needed");
        }
        for (int i = 0; i < batchSize; i++) {
            long header = (long) i * MMSGHDR_BYTES;
            receiveHeaders.set(ValueLayout.ADDRESS, header, receiveNames.asSlice((long) i * SOCKADDR_BYTES));
            receiveHeaders.set(ValueLayout.ADDRESS, header + 16, receiveIovecs.asSlice((long) i * IOVEC_BYTES));
            receiveHeaders.set(ValueLayout.JAVA_LONG, header + 24, 1);
            receiveHeaders.set(ValueLayout.ADDRESS, header + 32,
                    receiveJoined ? receiveControls.asSlice((long) i * CMSG_SPACE_INT) : MemorySegment.NULL);
            receiveHeaders.set(ValueLayout.JAVA_LONG, header + 40, receiveJoined ? CMSG_SPACE_INT : 0);
            receiveIovecs.set(ValueLayout.ADDRESS, (long) i * IOVEC_BYTES, MemorySegment.ofBuffer(batch.datagrams[i].duplicate().clear()));
        }
        boundBatch = batch;
    }

    private int fill(ReceivedBatch batch, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            long header = (long) i * MMSGHDR_BYTES;
            int length = receiveHeaders.get(ValueLayout.JAVA_INT, header + 56);
            ByteBuffer datagram = batch.datagrams[i];
            datagram.clear();
            // A datagram longer than the buffer arrives cut short (MSG_TRUNC): it is passed on at the
            // buffer's full length, which the endpoint rejects as over its maximum.
            datagram.limit(Math.min(length, datagram.capacity()));
            batch.segmentBytes[i] = receiveJoined ? joinedSegmentBytes(header, i) : 0;
            batch.sources[i] = source(i);
        }
        batch.count = n;
        return n;
    }

    /**
     * The {@code gso_size} of buffer {@code i} if the kernel joined datagrams into it, else 0. The control
     * message, when there is one, is the only one: {@code cmsg_len} (8 bytes), {@code cmsg_level},
     * {@code cmsg_type}, then the size as an int.
     */
    private int joinedSegmentBytes(long header, int i) {
        long controlLength = receiveHeaders.get(ValueLayout.JAVA_LONG, header + 40);
        if (controlLength < 20) {
            return 0;
        }
        long offset = (long) i * CMSG_SPACE_INT;
        if (receiveControls.get(ValueLayout.JAVA_INT, offset + 8) != SOL_UDP
                || receiveControls.get(ValueLayout.JAVA_INT, offset + 12) != UDP_GRO) {
            return 0;
        }
        int size = receiveControls.get(ValueLayout.JAVA_INT, offset + 16);
        return size > 0 ? size : 0;
    }

    /** The source of datagram {@code i}; the previous address object when the bytes are the same. */
    private InetSocketAddress source(int i) throws IOException {
        long offset = (long) i * SOCKADDR_BYTES;
        MemorySegment name = receiveNames.asSlice(offset, SOCKADDR_BYTES);
        MemorySegment last = lastNames.asSlice(offset, SOCKADDR_BYTES);
        if (lastSources[i] != null && name.mismatch(last) < 0) {
            return lastSources[i];
        }
        InetSocketAddress address = decode(name);
        if (address == null) {
            throw new SocketException("datagram from an address of unknown family");
        }
        last.copyFrom(name);
        lastSources[i] = address;
        return address;
    }


    private void awaitReadable() throws IOException {
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int r;
        try {
            r = (int) Native.POLL.invokeExact(receiveErrno, pollFd, 1L, POLL_TIMEOUT_MILLIS);
        } catch (Throwable e) {
            throw new IOException("poll failed", e);
        }
        if (r < 0 && (int) Native.ERRNO.get(receiveErrno, 0L) != EINTR) {
            throw closing ? new ClosedChannelException() : new SocketException("poll: errno " + Native.ERRNO.get(receiveErrno, 0L));
        }
    }

    // ------------------------------------------------------------------ send

    @Override
    public void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        sendLock.lock();
        try {
            sendLocked(datagram, 0, to);
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public void sendSegments(ByteBuffer datagrams, int segmentBytes, InetSocketAddress to) throws IOException {
        sendLock.lock();
        try {
            if (datagrams.remaining() > segmentBytes && segmentation.get()) {
                try {
                    sendLocked(datagrams, segmentBytes, to);
                    return;
                } catch (SegmentationRefused e) {
                    if (e.errno != EMSGSIZE) {
                        segmentation.set(false); // e.g. a device without checksum offload: one by one from now on
                    }
                }
            }
            int end = datagrams.limit();
            while (datagrams.position() < end) {
                datagrams.limit(Math.min(end, datagrams.position() + segmentBytes));
                sendLocked(datagrams, 0, to);
            }
            datagrams.limit(end);
        } finally {
            sendLock.unlock();
        }
    }

    private void sendLocked(ByteBuffer datagram, int segmentBytes, InetSocketAddress to) throws IOException {
        if (closing) {
            throw new ClosedChannelException();
        }
        if (!datagram.isDirect()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(datagram.remaining());
            direct.put(datagram.duplicate()).flip();
            sendLocked(direct, segmentBytes, to);
            datagram.position(datagram.limit());
            return;
        }
        if (!to.equals(lastDestination)) {
            encode(to, sendName);
            lastDestination = to;
        }
        int length = datagram.remaining();
        sendIovec.set(ValueLayout.ADDRESS, 0, MemorySegment.ofBuffer(datagram)); // from the buffer's position
        sendIovec.set(ValueLayout.JAVA_LONG, 8, length);
        sendHeader.set(ValueLayout.ADDRESS, 0, sendName);
        sendHeader.set(ValueLayout.JAVA_INT, 8, ipv6Socket ? 28 : 16);
        sendHeader.set(ValueLayout.ADDRESS, 16, sendIovec);
        sendHeader.set(ValueLayout.JAVA_LONG, 24, 1);
        if (segmentBytes > 0) {
            sendControl.set(ValueLayout.JAVA_LONG, 0, CMSG_LEN_U16);
            sendControl.set(ValueLayout.JAVA_INT, 8, SOL_UDP);
            sendControl.set(ValueLayout.JAVA_INT, 12, UDP_SEGMENT);
            sendControl.set(ValueLayout.JAVA_SHORT, 16, (short) segmentBytes);
            sendHeader.set(ValueLayout.ADDRESS, 32, sendControl);
            sendHeader.set(ValueLayout.JAVA_LONG, 40, CMSG_SPACE_U16);
        } else {
            sendHeader.set(ValueLayout.ADDRESS, 32, MemorySegment.NULL);
            sendHeader.set(ValueLayout.JAVA_LONG, 40, 0);
        }
        sendHeader.set(ValueLayout.JAVA_INT, 48, 0);
        while (true) {
            long r;
            try {
                r = (long) Native.SENDMSG.invokeExact(sendErrno, fd, sendHeader, 0);
            } catch (Throwable e) {
                throw new IOException("sendmsg failed", e);
            }
            if (r >= 0) {
                datagram.position(datagram.limit());
                return;
            }
            int errno = (int) Native.ERRNO.get(sendErrno, 0L);
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                awaitWritable(); // the JDK may have left the socket non-blocking; block as its send would
                continue;
            }
            if (errno == EBADF || closing) {
                throw new ClosedChannelException();
            }
            if (errno == EMSGSIZE && segmentBytes == 0) {
                throw new SocketException("Message too long"); // the words the JDK path's error carries
            }
            if (segmentBytes > 0 && (errno == EIO || errno == EINVAL || errno == EMSGSIZE)) {
                throw new SegmentationRefused(errno);
            }
            throw new SocketException("sendmsg: errno " + errno);
        }
    }

    private void awaitWritable() throws IOException {
        if (Thread.currentThread().isVirtual()) {
            // A native poll would hold the carrier thread; a short park lets it go (the send buffer
            // drains at the link's rate, so the retry comes soon enough).
            java.util.concurrent.locks.LockSupport.parkNanos(SEND_RETRY_NANOS);
            return;
        }
        sendPollFd.set(ValueLayout.JAVA_INT, 0, fd);
        sendPollFd.set(ValueLayout.JAVA_SHORT, 4, POLLOUT);
        sendPollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        try {
            int ignored = (int) Native.POLL.invokeExact(sendErrno, sendPollFd, 1L, POLL_TIMEOUT_MILLIS);
        } catch (Throwable e) {
            throw new IOException("poll failed", e);
        }
    }

    @Override
    public int maxSegments() {
        return segmentation.get() ? MAX_SEGMENTS : 1;
    }

    @Override
    public int receiveBatchSize() {
        return batchSize;
    }

    @Override
    public void wakeReceiver() {
        closing = true;
        try (Arena scratch = Arena.ofConfined()) {
            int ignored = (int) Native.SHUTDOWN.invokeExact(scratch.allocate(Native.CAPTURE), fd, SHUT_RD);
        } catch (Throwable e) {
            // the poll timeout ends the wait instead
        }
    }

    @Override
    public String name() {
        return "linux-gso";
    }

    // ------------------------------------------------------------------ addresses

    /** The address in a sockaddr_in or sockaddr_in6 (an IPv4-mapped IPv6 address as IPv4); null for another family. */
    private static InetSocketAddress decode(MemorySegment name) throws IOException {
        int family = name.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(Short.reverseBytes(name.get(ValueLayout.JAVA_SHORT, 2)));
        if (family == AF_INET) {
            return new InetSocketAddress(InetAddress.getByAddress(name.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)), port);
        }
        if (family == AF_INET6) {
            byte[] a = name.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
            // getByAddress turns an IPv4-mapped address (::ffff:a.b.c.d) into an Inet4Address itself.
            InetAddress address = InetAddress.getByAddress(a);
            if (address instanceof Inet6Address) {
                int scope = name.get(ValueLayout.JAVA_INT, 24);
                address = scope == 0 ? address : Inet6Address.getByAddress(null, a, scope);
            }
            return new InetSocketAddress(address, port);
        }
        return null;
    }

    private void encode(InetSocketAddress to, MemorySegment name) throws SocketException {
        name.fill((byte) 0);
        InetAddress address = to.getAddress();
        short port = Short.reverseBytes((short) to.getPort());
        if (!ipv6Socket) {
            if (!(address instanceof Inet4Address)) {
                throw new SocketException("an IPv6 destination from an IPv4 socket: " + to);
            }
            name.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
            name.set(ValueLayout.JAVA_SHORT, 2, port);
            MemorySegment.copy(MemorySegment.ofArray(address.getAddress()), 0, name, 4, 4);
            return;
        }
        name.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET6);
        name.set(ValueLayout.JAVA_SHORT, 2, port);
        if (address instanceof Inet4Address) {
            name.set(ValueLayout.JAVA_BYTE, 18, (byte) 0xFF); // ::ffff:a.b.c.d
            name.set(ValueLayout.JAVA_BYTE, 19, (byte) 0xFF);
            MemorySegment.copy(MemorySegment.ofArray(address.getAddress()), 0, name, 20, 4);
        } else {
            MemorySegment.copy(MemorySegment.ofArray(address.getAddress()), 0, name, 8, 16);
            name.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) address).getScopeId());
        }
    }

    /** The kernel would not segment a batch; the datagrams go one by one instead. */
    private static final class SegmentationRefused extends SocketException {
        private static final long serialVersionUID = 1L;
        final int errno;

        SegmentationRefused(int errno) {
            super("UDP segmentation refused: errno " + errno);
            this.errno = errno;
        }
    }

    /** The native functions; initialised only once native access is known to be granted. */
    private static final class Native {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");
        private static final MethodHandle RECVMMSG = downcall("recvmmsg", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        private static final MethodHandle SENDMSG = downcall("sendmsg", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        private static final MethodHandle GETSOCKNAME = downcall("getsockname", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        private static final MethodHandle GETSOCKOPT = downcall("getsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        private static final MethodHandle SETSOCKOPT = downcall("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        private static final MethodHandle SHUTDOWN = downcall("shutdown", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        private static MethodHandle downcall(String function, FunctionDescriptor descriptor) {
            MemorySegment symbol = LINKER.defaultLookup().find(function)
                    .orElseThrow(() -> new UnsatisfiedLinkError(function));
            return LINKER.downcallHandle(symbol, descriptor, ERRNO_OPTION);
        }
    }
}
