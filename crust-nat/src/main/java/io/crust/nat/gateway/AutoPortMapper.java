package io.crust.nat.gateway;

import io.crust.nat.IpProtocol;
import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMapping;
import io.crust.nat.pcp.PcpSession;
import io.crust.nat.upnp.UpnpSession;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PortMapper#auto}: PCP first (which falls back to NAT-PMP by version negotiation when the gateway
 * answers UNSUPP_VERSION), then UPnP IGD. The first protocol that maps is kept for later calls.
 *
 * <p>NAT-PMP is not tried separately after a PCP timeout: both use the same server port, so a gateway that
 * ignores PCP would ignore NAT-PMP too, and a NAT-PMP-only server does answer a PCP request.
 *
 * <p>IPv6 pinholes ({@link #openPinhole}) are tried the same way, PCP then UPnP, on a mapper of their own.
 */
public final class AutoPortMapper implements PortMapper {
    private static final Logger LOG = LoggerFactory.getLogger(AutoPortMapper.class);

    private final PortMapperOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private LeasingPortMapper chosen;
    private LeasingPortMapper pinholes;
    private boolean closed;

    public AutoPortMapper(PortMapperOptions options) {
        this.options = options;
    }

    @Override
    public PortMapping map(IpProtocol transport, int internalPort, int requestedExternalPort, Duration lease)
            throws NatException {
        lock.lock();
        try {
            if (closed) {
                throw new NatException("port mapper is closed");
            }
            if (chosen != null) {
                return chosen.map(transport, internalPort, requestedExternalPort, lease);
            }
            Found found = firstThatWorks(m -> m.map(transport, internalPort, requestedExternalPort, lease), "port mapping");
            chosen = found.mapper();
            return found.mapping();
        } finally {
            lock.unlock();
        }
    }

    /** PCP, then UPnP's WANIPv6FirewallControl (NAT-PMP has no IPv6); the first that opens one is kept for pinholes. */
    @Override
    public PortMapping openPinhole(IpProtocol transport, int port, Duration lease) throws NatException {
        lock.lock();
        try {
            if (closed) {
                throw new NatException("port mapper is closed");
            }
            if (pinholes != null) {
                return pinholes.openPinhole(transport, port, lease);
            }
            Found found = firstThatWorks(m -> m.openPinhole(transport, port, lease), "IPv6 pinhole");
            pinholes = found.mapper();
            return found.mapping();
        } finally {
            lock.unlock();
        }
    }

    /** One request to a mapper of one protocol. */
    @FunctionalInterface
    private interface Request {
        PortMapping send(LeasingPortMapper mapper) throws NatException;
    }

    /** The mapper that served a request, and what it made. */
    private record Found(LeasingPortMapper mapper, PortMapping mapping) {
    }

    /** Tries PCP, then UPnP, each on a mapper of its own; the others are closed. */
    private Found firstThatWorks(Request request, String what) throws NatException {
        StringBuilder failures = new StringBuilder();
        for (MappingProtocol candidate : new MappingProtocol[] {MappingProtocol.PCP, MappingProtocol.UPNP}) {
            LeasingPortMapper mapper = new LeasingPortMapper(candidate == MappingProtocol.PCP
                    ? new PcpSession(options) : new UpnpSession(options), options);
            boolean kept = false;
            try {
                PortMapping mapping = request.send(mapper);
                LOG.info("{} through {}", what, mapping.protocol().label());
                kept = true;
                return new Found(mapper, mapping);
            } catch (NatException e) {
                LOG.debug("{} did not work for the {}: {}", candidate.label(), what, e.getMessage());
                failures.append(failures.isEmpty() ? "" : "; ").append(candidate.label()).append(": ")
                        .append(e.getMessage());
            } finally {
                if (!kept) {
                    mapper.close(); // its threads and sockets, whatever the failure was
                }
            }
        }
        throw new NatException("no protocol worked for the " + what + " (" + failures + ")");
    }

    @Override
    public MappingProtocol protocol() {
        lock.lock();
        try {
            return chosen == null ? null : chosen.protocol();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (chosen != null) {
                chosen.close();
            }
            if (pinholes != null) {
                pinholes.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
