package io.crust.nat.gateway;

import io.crust.nat.MappingProtocol;
import io.crust.nat.log.RateLimitedLog;
import io.crust.nat.pcp.PcpMessages;
import io.crust.nat.pmp.NatPmpMessages;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for a gateway's restart announcements and reports each valid one. Owned by the port mapper that
 * starts it, which closes it.
 *
 * <p>RFC 6886 section 3.2.1: a NAT-PMP gateway that restarts (or whose external address changes) multicasts
 * an external address response, with its epoch, to 224.0.0.1 port 5350. RFC 6887 section 14.1: a PCP
 * server that lost its state multicasts an unsolicited ANNOUNCE response to the same group and port. A
 * client must discard an announcement whose source address is not its configured gateway's (RFC 6886
 * section 3.2.1, as it requires of every response in section 3.2), and the datagram must decode. Nothing in it is trusted beyond "ask the gateway again": each mapping then sends its ordinary
 * renewal, at most once per {@link MappingSchedule#MIN_ANNOUNCED_GAP}, so a forged announcement from the
 * gateway's address costs one small request per mapping and second and changes nothing.
 *
 * <p>One virtual thread, {@code crust-nat-announce-<port>}, receives in a loop with a 1 s timeout until
 * {@link #close()}, which closes the socket (unblocking it) and joins the thread. The socket is bound with
 * SO_REUSEADDR, so several mappers (and other programs) on one host can each hear the multicast.
 */
public final class AnnouncementListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnnouncementListener.class);
    /** All hosts on this link (RFC 1112), where both protocols send announcements. */
    public static final InetAddress ALL_HOSTS = allHosts();
    private static final int RECEIVE_TIMEOUT_MILLIS = 1000;
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    /** A valid announcement: which protocol sent it and the epoch it carried. */
    public record Announcement(MappingProtocol protocol, long epochSeconds) {
    }

    private final InetAddress gateway;
    private final MulticastSocket socket;
    private final Consumer<Announcement> onAnnouncement;
    private final RateLimitedLog announcedLog = new RateLimitedLog(LOG);
    private final Thread receiver;

    private AnnouncementListener(InetAddress gateway, MulticastSocket socket, Consumer<Announcement> onAnnouncement) {
        this.gateway = gateway;
        this.socket = socket;
        this.onAnnouncement = onAnnouncement;
        this.receiver = Thread.ofVirtual().name("crust-nat-announce-" + socket.getLocalPort()).unstarted(this::receive);
    }

    /**
     * Binds {@code port} (0: any free port, for tests), joins 224.0.0.1 on the interface that faces
     * {@code gateway} when there is one, and starts receiving; {@code onAnnouncement} runs on the listener's
     * thread for each valid announcement from {@code gateway}.
     *
     * @throws IOException when the port cannot be bound
     */
    public static AnnouncementListener start(InetAddress gateway, int port, Consumer<Announcement> onAnnouncement)
            throws IOException {
        MulticastSocket socket = new MulticastSocket(null);
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            socket.setSoTimeout(RECEIVE_TIMEOUT_MILLIS);
            NetworkInterface facing = AddressKinds.interfaceFacing(gateway);
            if (facing != null && !gateway.isLoopbackAddress()) {
                try {
                    socket.joinGroup(new InetSocketAddress(ALL_HOSTS, 0), facing);
                } catch (IOException e) {
                    // every multicast-capable interface is in the all-hosts group anyway (RFC 1112)
                    LOG.debug("joining {} on {} failed: {}", ALL_HOSTS.getHostAddress(), facing.getName(), e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        AnnouncementListener listener = new AnnouncementListener(gateway, socket, onAnnouncement);
        listener.receiver.start();
        return listener;
    }

    /** The bound port. */
    public int port() {
        return socket.getLocalPort();
    }

    /** Whether the receiving thread still runs; for tests. */
    boolean receiving() {
        return receiver.isAlive();
    }

    private void receive() {
        byte[] buffer = new byte[PcpMessages.MAX_MESSAGE_BYTES];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return; // closed
            }
            Announcement announcement = parse(packet.getAddress(), gateway,
                    ByteBuffer.wrap(buffer, 0, packet.getLength()).slice());
            if (announcement != null) {
                announcedLog.info("gateway {} announced a restart ({}, epoch {} s): requesting the mappings again",
                        gateway.getHostAddress(), announcement.protocol().label(), announcement.epochSeconds());
                onAnnouncement.accept(announcement);
            }
        }
    }

    /**
     * What a datagram on the announcement port says: an {@link Announcement}, or null when it is not one
     * from {@code gateway} (another source, malformed, a response to another opcode, an error result).
     * Pure; compares addresses by their bytes, never by name.
     */
    public static Announcement parse(InetAddress source, InetAddress gateway, ByteBuffer datagram) {
        if (source == null || !source.equals(gateway) || !datagram.hasRemaining()) {
            return null;
        }
        try {
            int version = Byte.toUnsignedInt(datagram.get(datagram.position()));
            if (version == NatPmpMessages.VERSION) {
                NatPmpMessages.ExternalAddressResponse r = NatPmpMessages.decodeExternalAddress(datagram);
                return r != null && r.resultCode() == 0 ? new Announcement(MappingProtocol.NAT_PMP, r.epochSeconds()) : null;
            }
            if (version == PcpMessages.VERSION) {
                PcpMessages.Announce r = PcpMessages.decodeAnnounce(datagram);
                return r != null && r.resultCode() == 0 ? new Announcement(MappingProtocol.PCP, r.epochSeconds()) : null;
            }
            return null;
        } catch (MalformedReplyException e) {
            LOG.debug("ignoring a malformed announcement from {}: {}", source.getHostAddress(), e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            if (!receiver.join(JOIN_TIMEOUT)) {
                LOG.warn("announcement listener {} did not stop within {}", receiver.getName(), JOIN_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InetAddress allHosts() {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 224, 0, 0, 1});
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
