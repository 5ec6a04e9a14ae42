package io.crust.nat.gateway;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapping;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/** A {@link PortMapper} over one protocol's {@link GatewaySession}; remembers its open mappings to close them. */
public final class LeasingPortMapper implements PortMapper {
    /** The longest lease any of the protocols can carry (32-bit seconds, kept within int for UPnP ui4 parsers). */
    private static final long MAX_LEASE_SECONDS = Integer.MAX_VALUE;

    private final GatewaySession session;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<PortMapping> open = new LinkedHashSet<>();
    private boolean closed;

    public LeasingPortMapper(GatewaySession session) {
        this.session = session;
    }

    @Override
    public PortMapping map(IpProtocol transport, int internalPort, int requestedExternalPort, Duration lease)
            throws NatException {
        if (transport == null) {
            throw new IllegalArgumentException("transport is required");
        }
        if (internalPort < 1 || internalPort > 65535) {
            throw new IllegalArgumentException("internal port out of range: " + internalPort);
        }
        if (requestedExternalPort < 0 || requestedExternalPort > 65535) {
            throw new IllegalArgumentException("requested external port out of range: " + requestedExternalPort);
        }
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("lease must be at least 1 s: " + lease);
        }
        lock.lock();
        try {
            if (closed) {
                throw new NatException("port mapper is closed");
            }
        } finally {
            lock.unlock();
        }
        long seconds = Math.min(MAX_LEASE_SECONDS, lease.getSeconds());
        GatewayLease gatewayLease = session.lease(transport, internalPort, requestedExternalPort, seconds);
        Grant first = gatewayLease.acquire();
        PortMapping[] self = new PortMapping[1];
        RenewingMapping mapping = RenewingMapping.start(gatewayLease, transport, internalPort, first, () -> forget(self[0]));
        self[0] = mapping;
        lock.lock();
        try {
            if (!closed) {
                open.add(mapping);
                return mapping;
            }
        } finally {
            lock.unlock();
        }
        mapping.close();
        throw new NatException("port mapper was closed while mapping");
    }

    private void forget(PortMapping mapping) {
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
        List<PortMapping> toClose;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(open);
        } finally {
            lock.unlock();
        }
        for (PortMapping m : toClose) {
            m.close();
        }
        session.close();
    }
}
