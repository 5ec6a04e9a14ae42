package io.crust.core.discovery;

import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import io.crust.nat.IpLiteral;
import io.crust.nat.log.RateLimitedLog;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds peers of the same network on the local network: every {@code interval} it announces this node's
 * signed {@link PeerRecord} by multicast (IPv4, TTL 1, and IPv6, link-local scope) and IPv4 broadcast on
 * every suitable interface (and the limited broadcast address), and it reports the records it hears from
 * others to {@code onDiscovered}. One socket serves both families: bound to the wildcard address, the
 * JDK opens it dual-stack, so IPv4 datagrams arrive on it as IPv4-mapped ones.
 *
 * <p>A beacon is never trusted: it only names a candidate to dial, and the Noise handshake then proves
 * the peer id. Received datagrams go through {@link BeaconFilter} (rate limits per source and in total,
 * network tag, signature, repeats) before anything is reported, so a flood costs little and cannot grow
 * memory. The datagram format is described in {@link Beacon}.
 *
 * <p>The beacon owns one virtual thread, {@code crust-lan-beacon-<port>}, which both receives (with a
 * timeout up to the next announcement) and sends; {@link #close()} stops it and releases the socket.
 * {@code onDiscovered} runs on that thread and should hand the record on quickly.
 */
public final class LanBeacon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LanBeacon.class);
    /** Each beacon heard on the LAN can reach the listener. */
    private static final RateLimitedLog listenerFailedLog = new RateLimitedLog(LOG);

    /** The beacon port when none is configured. */
    public static final int DEFAULT_PORT = 5484;
    /** The multicast group when none is configured: in the IPv4 organization-local scope (RFC 2365). */
    public static final String DEFAULT_GROUP = "239.255.83.84";
    /**
     * The IPv6 group: link-local scope (2), transient (RFC 4291 section 2.7: flag T set, "a
     * non-permanently-assigned multicast address"), group id 0x5354 as the IPv4 group's last two bytes.
     * A host with no IPv4 at all (an IPv6-only LAN) is still found.
     */
    public static final String IPV6_GROUP = "ff12::5354";
    private static final InetAddress IPV6_GROUP_ADDRESS = Config.literal(IPV6_GROUP);
    private static final InetAddress LIMITED_BROADCAST = Config.literal("255.255.255.255");
    /** Announcements are never sent more often than this. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(200);

    /**
     * How the beacon runs.
     *
     * @param networkName only beacons of this network are reported
     * @param port the UDP port to listen on and announce to (0: any free port, useful with unicast targets)
     * @param multicastGroup the IPv4 group to join and announce to
     * @param interval time between announcements (at least {@link #MIN_INTERVAL}); each is jittered by up to
     *        a tenth so that nodes started together do not stay in step
     * @param multicast announce by multicast on every up, non-loopback interface: to {@code multicastGroup}
     *        where it has IPv4, to {@link #IPV6_GROUP} where it has IPv6 (when bound to the wildcard)
     * @param broadcast announce to the broadcast address of every up, non-loopback IPv4 interface, and to
     *        255.255.255.255
     * @param unicastTargets extra addresses to announce to (tests use 127.0.0.1 ports)
     * @param bindAddress local address to bind (the wildcard address to hear multicast and broadcast)
     */
    public record Config(String networkName, int port, InetAddress multicastGroup, Duration interval, boolean multicast,
            boolean broadcast, List<InetSocketAddress> unicastTargets, InetAddress bindAddress) {
        public Config {
            Objects.requireNonNull(networkName, "networkName");
            Objects.requireNonNull(multicastGroup, "multicastGroup");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(bindAddress, "bindAddress");
            unicastTargets = List.copyOf(unicastTargets);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is outside 0..65535");
            }
            if (!(multicastGroup instanceof Inet4Address) || !multicastGroup.isMulticastAddress()) {
                throw new IllegalArgumentException(multicastGroup + " is not an IPv4 multicast group");
            }
            if (interval.compareTo(MIN_INTERVAL) < 0) {
                throw new IllegalArgumentException("beacon interval " + interval + " is shorter than " + MIN_INTERVAL);
            }
        }

        /** Multicast and broadcast on {@link #DEFAULT_PORT}, every 5 seconds. */
        public static Config defaults(String networkName) {
            return new Config(networkName, DEFAULT_PORT, literal(DEFAULT_GROUP), Duration.ofSeconds(5), true, true,
                    List.of(), literal("0.0.0.0"));
        }

        public Config withPort(int newPort) {
            return new Config(networkName, newPort, multicastGroup, interval, multicast, broadcast, unicastTargets, bindAddress);
        }

        public Config withInterval(Duration newInterval) {
            return new Config(networkName, port, multicastGroup, newInterval, multicast, broadcast, unicastTargets, bindAddress);
        }

        /** Announces only to {@code targets}, bound to {@code bind}: no multicast, no broadcast. */
        public Config withUnicastOnly(InetAddress bind, List<InetSocketAddress> targets) {
            return new Config(networkName, port, multicastGroup, interval, false, false, targets, bind);
        }

        private static InetAddress literal(String ip) {
            return IpLiteral.parse(ip);
        }
    }

    private final Config config;
    private final Supplier<PeerRecord> recordSupplier;
    private final Consumer<PeerRecord> onDiscovered;
    private final MulticastSocket socket;
    private final List<NetworkInterface> interfaces;
    private final BeaconFilter filter;
    private final byte[] networkTag;
    private final Thread thread;
    private volatile boolean closed;

    private LanBeacon(Config config, Supplier<PeerRecord> recordSupplier, Consumer<PeerRecord> onDiscovered,
            MulticastSocket socket, List<NetworkInterface> interfaces, PeerId self) {
        this.config = config;
        this.recordSupplier = recordSupplier;
        this.onDiscovered = onDiscovered;
        this.socket = socket;
        this.interfaces = interfaces;
        this.filter = new BeaconFilter(self, config.networkName(), BeaconFilter.Limits.defaults());
        this.networkTag = Beacon.networkTag(config.networkName());
        this.thread = Thread.ofVirtual().name("crust-lan-beacon-" + socket.getLocalPort()).unstarted(this::run);
    }

    /**
     * Opens the beacon socket, joins the multicast group and starts announcing and listening.
     *
     * @param recordSupplier this node's current signed record, asked before every announcement
     * @param onDiscovered receives each verified record of another peer worth dialling
     * @throws IOException if the socket cannot be bound
     */
    public static LanBeacon start(Config config, Supplier<PeerRecord> recordSupplier, Consumer<PeerRecord> onDiscovered)
            throws IOException {
        PeerId self = recordSupplier.get().peerId();
        MulticastSocket socket = new MulticastSocket(null);
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(config.bindAddress(), config.port()));
            List<NetworkInterface> interfaces = config.multicast() || config.broadcast() ? lanInterfaces() : List.of();
            if (config.broadcast()) {
                socket.setBroadcast(true);
            }
            if (config.multicast()) {
                socket.setTimeToLive(1);
                socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
                for (NetworkInterface ni : interfaces) {
                    for (InetAddress group : groups(config, ni)) {
                        try {
                            socket.joinGroup(new InetSocketAddress(group, 0), ni);
                        } catch (IOException e) {
                            LOG.debug("LAN beacon cannot join {} on {}: {}", group, ni.getName(), e.toString());
                        }
                    }
                }
            }
            LanBeacon beacon = new LanBeacon(config, recordSupplier, onDiscovered, socket, interfaces, self);
            beacon.thread.start();
            LOG.info("LAN beacon on UDP port {} for network '{}' (interfaces {})", socket.getLocalPort(),
                    config.networkName(), interfaces.stream().map(NetworkInterface::getName).toList());
            return beacon;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The UDP port the beacon listens on. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Stops the thread and closes the socket; waits briefly for the thread to end. */
    @Override
    public void close() {
        closed = true;
        socket.close();
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        byte[] buffer = new byte[Beacon.MAX_BYTES + 1];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        long nextAnnounceNanos = System.nanoTime();
        try {
            while (!closed) {
                long nowNanos = System.nanoTime();
                if (nowNanos - nextAnnounceNanos >= 0) {
                    announce();
                    long intervalNanos = config.interval().toNanos();
                    nextAnnounceNanos = nowNanos + intervalNanos - ThreadLocalRandom.current().nextLong(intervalNanos / 10 + 1);
                }
                socket.setSoTimeout((int) Math.max(1, (nextAnnounceNanos - nowNanos + 999_999) / 1_000_000));
                packet.setLength(buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                filter.accept(packet.getAddress(), ByteBuffer.wrap(buffer, 0, packet.getLength()), System.nanoTime())
                        .ifPresent(this::report);
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("LAN beacon stopped: {}", e.toString());
            }
        }
    }

    private void report(PeerRecord record) {
        LOG.debug("LAN beacon found {}", record);
        try {
            onDiscovered.accept(record);
        } catch (RuntimeException e) {
            listenerFailedLog.warn("LAN beacon listener failed for {}", record.peerId().shortForm(), e);
        }
    }

    private void announce() {
        byte[] beacon;
        try {
            beacon = Beacon.encode(networkTag, recordSupplier.get());
        } catch (RuntimeException e) {
            LOG.warn("LAN beacon has no record to announce", e);
            return;
        }
        int port = config.port() == 0 ? socket.getLocalPort() : config.port();
        if (config.multicast()) {
            for (NetworkInterface ni : interfaces) {
                try {
                    socket.setNetworkInterface(ni);
                    for (InetAddress group : groups(config, ni)) {
                        send(beacon, new InetSocketAddress(group, port));
                    }
                } catch (SocketException e) {
                    LOG.debug("LAN beacon cannot use {}: {}", ni.getName(), e.toString());
                }
            }
        }
        if (config.broadcast()) {
            for (NetworkInterface ni : interfaces) {
                for (InterfaceAddress address : ni.getInterfaceAddresses()) {
                    if (address.getBroadcast() != null && !address.getBroadcast().isAnyLocalAddress()) {
                        send(beacon, new InetSocketAddress(address.getBroadcast(), port));
                    }
                }
            }
            // Interfaces configured without a broadcast address (ip addr add without "brd +") are still
            // reached by the limited broadcast (RFC 919 section 7), out of the interface of the default route.
            send(beacon, new InetSocketAddress(LIMITED_BROADCAST, port));
        }
        for (InetSocketAddress target : config.unicastTargets()) {
            send(beacon, target);
        }
    }

    private void send(byte[] beacon, InetSocketAddress target) {
        try {
            socket.send(new DatagramPacket(beacon, beacon.length, target));
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("LAN beacon cannot send to {}: {}", target, e.toString());
            }
        }
    }

    /**
     * The groups to join and announce to on {@code ni}: the IPv4 group where it has an IPv4 address, the
     * IPv6 group where it has an IPv6 one (a link-local address is enough) and the socket is bound to
     * the wildcard address (a socket bound to one IPv4 address is IPv4-only).
     */
    private static List<InetAddress> groups(Config config, NetworkInterface ni) {
        List<InetAddress> groups = new ArrayList<>(2);
        if (has(ni, Inet4Address.class)) {
            groups.add(config.multicastGroup());
        }
        if (has(ni, Inet6Address.class) && config.bindAddress().isAnyLocalAddress()) {
            groups.add(IPV6_GROUP_ADDRESS);
        }
        return groups;
    }

    private static boolean has(NetworkInterface ni, Class<? extends InetAddress> family) {
        return ni.getInterfaceAddresses().stream().anyMatch(a -> family.isInstance(a.getAddress()));
    }

    /** Up, non-loopback interfaces with an IP address: where multicast and broadcast make sense. */
    private static List<NetworkInterface> lanInterfaces() throws SocketException {
        List<NetworkInterface> suitable = new ArrayList<>();
        for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
            if (ni.isUp() && !ni.isLoopback() && !ni.getInterfaceAddresses().isEmpty()) {
                suitable.add(ni);
            }
        }
        return suitable;
    }
}
