package io.crust.core.service;

import io.crust.nat.IpProtocol;
import io.crust.nat.PortMappers;
import io.crust.core.ConnectionInfo;
import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.PeerRecord;
import io.crust.core.Route;
import io.crust.core.Transport;
import io.crust.core.discovery.LanBeacon;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMapping;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node does with its local network, both off by default: port mappings on the router
 * (crust-nat's {@link PortMapper}: PCP, NAT-PMP, UPnP; the external addresses become MAPPED
 * candidates) with pinholes in its IPv6 firewall for our global IPv6 address (PCP or UPnP), and the
 * LAN beacon (peers announced on the LAN are dialled with route LAN, and the handshake proves who
 * they are). Mapping runs once at start; the mappings renew themselves and are
 * deleted by {@link #close()}.
 *
 * <p>Threads: mapping on {@code crust-port-mapping}, each LAN dial on {@code crust-lan-dial-ID}, both
 * owned by the node; the beacon's own threads call {@link #discovered}.
 */
final class Surroundings {
    private static final Logger LOG = LoggerFactory.getLogger(Surroundings.class);
    private static final Duration LEASE = Duration.ofHours(1);

    private final CrustConfig config;
    private final Addresses addresses;
    private final GossipSide gossip;
    private final PeerTable table;
    private final Blacklist blacklist;
    private final Dialer dialer;
    private final ThreadOwner threads;
    private final BooleanSupplier nodeClosed;
    private volatile PortMapper mapper;
    private volatile LanBeacon beacon;

    Surroundings(CrustConfig config, Addresses addresses, GossipSide gossip, PeerTable table, Blacklist blacklist,
            Dialer dialer, ThreadOwner threads, BooleanSupplier nodeClosed) {
        this.config = config;
        this.addresses = addresses;
        this.gossip = gossip;
        this.table = table;
        this.blacklist = blacklist;
        this.dialer = dialer;
        this.threads = threads;
        this.nodeClosed = nodeClosed;
    }

    void start() {
        if (config.portMapping()) {
            threads.start("crust-port-mapping", this::mapPorts);
        }
        if (config.lanBeacon()) {
            try {
                LanBeacon.Config beaconConfig = LanBeacon.Config.defaults(config.networkName()).withPort(config.lanPort());
                beacon = LanBeacon.start(beaconConfig, gossip::ownRecord, this::discovered);
            } catch (IOException | RuntimeException e) {
                LOG.warn("LAN beacon unavailable on port {}: {}", config.lanPort(), e.toString());
            }
        }
    }

    private void mapPorts() {
        PortMapper m = PortMappers.auto(PortMapperOptions.defaults());
        mapper = m;
        List<PortMapping> made = new ArrayList<>();
        map(m, IpProtocol.TCP, addresses.tcpBound(), Transport.TCP, made);
        map(m, IpProtocol.UDP, addresses.udpBound(), Transport.UDT, made);
        pinhole(m, IpProtocol.TCP, addresses.tcpBound());
        pinhole(m, IpProtocol.UDP, addresses.udpBound());
        if (nodeClosed.getAsBoolean()) {
            m.close();
        }
    }

    private void map(PortMapper m, IpProtocol kind, InetSocketAddress bound, Transport transport, List<PortMapping> made) {
        if (bound == null || nodeClosed.getAsBoolean()) {
            return;
        }
        try {
            PortMapping mapping = m.map(kind, bound.getPort(), bound.getPort(), LEASE);
            made.add(mapping);
            addresses.mapped(transport, mapping.external());
            LOG.info("router maps {} {} to port {}", kind.label(), mapping.external(), bound.getPort());
        } catch (NatException e) {
            LOG.info("no {} port mapping: {}", kind.label(), e.getMessage());
        }
    }

    /**
     * Asks the router's IPv6 firewall to let peers reach our global IPv6 address on the port we listen on, where
     * the socket takes IPv6 and the host has such an address. Nothing to add to the candidates: that address is
     * already one of our host candidates, which peers dial first; the pinhole is what lets their dial through.
     */
    private void pinhole(PortMapper m, IpProtocol kind, InetSocketAddress bound) {
        // the pinhole is for the interface's global address, which only a socket bound to the wildcard surely takes
        if (bound == null || nodeClosed.getAsBoolean() || !bound.getAddress().isAnyLocalAddress()
                || !LocalAddresses.hasGlobalIpv6(bound.getAddress())) {
            return;
        }
        try {
            PortMapping pinhole = m.openPinhole(kind, bound.getPort(), LEASE);
            LOG.info("router's IPv6 firewall lets {} {} in", kind.label(), pinhole.external());
        } catch (NatException e) {
            LOG.info("no IPv6 {} pinhole: {}", kind.label(), e.getMessage());
        }
    }

    private void discovered(PeerRecord record) {
        if (nodeClosed.getAsBoolean() || table.handle(record.peerId()).isPresent() || blacklist.bans(record.peerId())) {
            return;
        }
        List<InetSocketAddress> tcp = new ArrayList<>();
        List<InetSocketAddress> udp = new ArrayList<>();
        for (PeerRecord.Address a : record.addresses()) {
            List<InetSocketAddress> list = a.transport() == Transport.TCP ? tcp : udp;
            if (list.size() < ConnectionInfo.MAX_ADDRESSES) {
                list.add(a.socketAddress());
            }
        }
        ConnectionInfo info = new ConnectionInfo(record.peerId(), tcp, udp);
        threads.start("crust-lan-dial-" + record.peerId().shortForm(), () -> {
            try {
                dialer.dialInfo(info, Route.LAN, config.handshakeTimeout());
            } catch (CrustException e) {
                LOG.debug("LAN peer {} not reachable: {}", record.peerId().shortForm(), e.getMessage());
            }
        });
    }

    void close() {
        LanBeacon b = beacon;
        if (b != null) {
            b.close();
        }
        PortMapper m = mapper;
        if (m != null) {
            m.close();
        }
    }
}
