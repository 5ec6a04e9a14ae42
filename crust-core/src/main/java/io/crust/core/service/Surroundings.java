package io.crust.core.service;

import io.crust.nat.IpProtocol;
import io.crust.nat.PortMappers;
import io.crust.core.ConnectionInfo;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node does with its local network, both off by default: port mappings on the router
 * (crust-nat's {@link PortMapper}: PCP, NAT-PMP, UPnP; the external addresses become MAPPED
 * candidates) and the LAN beacon (peers announced on the LAN are dialled with route LAN, and the
 * handshake proves who they are). Mapping runs once at start on {@code crust-port-mapping}; the
 * mappings renew themselves and are deleted by {@link #close()}.
 */
final class Surroundings {
    private static final Logger log = LoggerFactory.getLogger(Surroundings.class);
    private static final Duration LEASE = Duration.ofHours(1);

    private final Node node;
    private volatile PortMapper mapper;
    private volatile LanBeacon beacon;

    Surroundings(Node node) {
        this.node = node;
    }

    void start() {
        if (node.config.portMapping()) {
            node.threads.start("crust-port-mapping", this::mapPorts);
        }
        if (node.config.lanBeacon()) {
            try {
                LanBeacon.Config config = LanBeacon.Config.defaults(node.config.networkName()).withPort(node.config.lanPort());
                beacon = LanBeacon.start(config, node.router::ownRecord, this::discovered);
            } catch (IOException | RuntimeException e) {
                log.warn("LAN beacon unavailable on port {}: {}", node.config.lanPort(), e.toString());
            }
        }
    }

    private void mapPorts() {
        PortMapper m = PortMappers.auto(PortMapperOptions.defaults());
        mapper = m;
        List<PortMapping> made = new ArrayList<>();
        map(m, IpProtocol.TCP, node.addresses.tcpBound(), Transport.TCP, made);
        map(m, IpProtocol.UDP, node.addresses.udpBound(), Transport.UDT, made);
        if (node.isClosed()) {
            m.close();
        }
    }

    private void map(PortMapper m, IpProtocol kind, InetSocketAddress bound, Transport transport, List<PortMapping> made) {
        if (bound == null || node.isClosed()) {
            return;
        }
        try {
            PortMapping mapping = m.map(kind, bound.getPort(), bound.getPort(), LEASE);
            made.add(mapping);
            node.addresses.mapped(transport, mapping.external());
            log.info("router maps {} {} to port {}", kind.label(), mapping.external(), bound.getPort());
        } catch (NatException e) {
            log.info("no {} port mapping: {}", kind.label(), e.getMessage());
        }
    }

    private void discovered(PeerRecord record) {
        if (node.isClosed() || node.table.handle(record.peerId()).isPresent() || node.blacklist.bans(record.peerId())) {
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
        node.threads.start("crust-lan-dial-" + record.peerId().shortForm(), () -> {
            try {
                node.router.dialInfo(info, Route.LAN, node.config.handshakeTimeout());
            } catch (CrustException e) {
                log.debug("LAN peer {} not reachable: {}", record.peerId().shortForm(), e.getMessage());
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
