package io.crust.nat.gateway;

import io.crust.nat.IpProtocol;
import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMapping;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PortMapper} over one protocol's {@link GatewaySession}; remembers its open mappings to close them.
 *
 * <p>Each mapping is checked every {@link PortMapperOptions#checkInterval()} between renewals. The mapper
 * also owns an {@link AnnouncementListener}, started with the first mapping and closed with the mapper: a
 * restart announcement from the gateway (for UPnP: from the IGD's address, which a router that also speaks
 * NAT-PMP or PCP sends) makes every open mapping request itself again at once.
 */
public final class LeasingPortMapper implements PortMapper {
    private static final Logger LOG = LoggerFactory.getLogger(LeasingPortMapper.class);
    /** The longest lease any of the protocols can carry (32-bit seconds, kept within int for UPnP ui4 parsers). */
    private static final long MAX_LEASE_SECONDS = Integer.MAX_VALUE;

    private final GatewaySession session;
    private final PortMapperOptions options;
    /** Where the announcement listener binds: -1 none, 0 any free port (tests), else that port. */
    private final int listenerPort;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<RenewingMapping> open = new LinkedHashSet<>();
    private boolean closed;
    private boolean listenerTried;
    private AnnouncementListener listener;

    public LeasingPortMapper(GatewaySession session, PortMapperOptions options) {
        this(session, options, options.announcementPort() == 0 ? -1 : options.announcementPort());
    }

    /** With the announcement listener on {@code listenerPort}: -1 none, 0 any free port (tests). */
    LeasingPortMapper(GatewaySession session, PortMapperOptions options, int listenerPort) {
        this.session = session;
        this.options = options;
        this.listenerPort = listenerPort;
    }

    @Override
    public PortMapping map(IpProtocol transport, int internalPort, int requestedExternalPort, Duration lease)
            throws NatException {
        long seconds = leaseSeconds(transport, internalPort, lease);
        if (requestedExternalPort < 0 || requestedExternalPort > 65535) {
            throw new IllegalArgumentException("requested external port out of range: " + requestedExternalPort);
        }
        return start(() -> session.lease(transport, internalPort, requestedExternalPort, seconds), transport, internalPort, true);
    }

    @Override
    public PortMapping openPinhole(IpProtocol transport, int port, Duration lease) throws NatException {
        long seconds = leaseSeconds(transport, port, lease);
        // no announcement listener: it hears IPv4's 224.0.0.1 only (PCP's IPv6 group ff02::1 is not joined);
        // the periodic check covers a reboot
        return start(() -> session.pinholeLease(transport, port, seconds), transport, port, false);
    }

    /** Checks a request's arguments; returns the lease in whole seconds, capped at what the protocols carry. */
    private static long leaseSeconds(IpProtocol transport, int internalPort, Duration lease) {
        if (transport == null) {
            throw new IllegalArgumentException("transport is required");
        }
        if (internalPort < 1 || internalPort > 65535) {
            throw new IllegalArgumentException("internal port out of range: " + internalPort);
        }
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("lease must be at least 1 s: " + lease);
        }
        return Math.min(MAX_LEASE_SECONDS, lease.getSeconds());
    }

    /** Makes a gateway lease; may do discovery, sends no mapping request. */
    @FunctionalInterface
    private interface LeaseMaker {
        GatewayLease make() throws NatException;
    }

    private PortMapping start(LeaseMaker maker, IpProtocol transport, int internalPort, boolean listen) throws NatException {
        lock.lock();
        try {
            if (closed) {
                throw new NatException("port mapper is closed");
            }
        } finally {
            lock.unlock();
        }
        GatewayLease gatewayLease = maker.make();
        Grant first = gatewayLease.acquire();
        RenewingMapping[] self = new RenewingMapping[1];
        RenewingMapping mapping = RenewingMapping.start(gatewayLease, transport, internalPort, first,
                options.checkInterval(), System::nanoTime, () -> forget(self[0]));
        self[0] = mapping;
        lock.lock();
        try {
            if (!closed) {
                open.add(mapping);
                if (listen && !listenerTried) {
                    listenerTried = true;
                    listener = startListener();
                }
                return mapping;
            }
        } finally {
            lock.unlock();
        }
        mapping.close();
        throw new NatException("port mapper was closed while mapping");
    }

    /** The announcement listener, or null when the protocol has none, it is turned off, or the port is taken. */
    private AnnouncementListener startListener() {
        int port = listenerPort;
        if (port < 0) {
            return null;
        }
        try {
            InetAddress gateway = session.announcingGateway();
            if (gateway == null) {
                return null;
            }
            return AnnouncementListener.start(gateway, port, announcement -> announced());
        } catch (IOException e) {
            LOG.info("not listening for gateway restart announcements on port {} ({}); mappings are still checked every {}",
                    port, e.getMessage(), options.checkInterval());
            return null;
        }
    }

    private void announced() {
        List<RenewingMapping> toRenew;
        lock.lock();
        try {
            toRenew = new ArrayList<>(open);
        } finally {
            lock.unlock();
        }
        for (RenewingMapping m : toRenew) {
            m.gatewayAnnouncedRestart();
        }
    }

    /** The port the announcement listener is bound to, or 0 when there is none; for tests. */
    int announcementListenerPort() {
        lock.lock();
        try {
            return listener == null ? 0 : listener.port();
        } finally {
            lock.unlock();
        }
    }

    private void forget(RenewingMapping mapping) {
        lock.lock();
        try {
            open.remove(mapping);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MappingProtocol protocol() {
        return session.protocol();
    }

    @Override
    public void close() {
        List<RenewingMapping> toClose;
        AnnouncementListener toStop;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(open);
            toStop = listener;
            listener = null;
        } finally {
            lock.unlock();
        }
        if (toStop != null) {
            toStop.close();
        }
        for (PortMapping m : toClose) {
            m.close();
        }
        session.close();
    }
}
