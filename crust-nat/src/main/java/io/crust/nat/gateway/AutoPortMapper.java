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
 * <p>IPv6 pinholes ({@link #openPinhole}) go through PCP alone, on a mapper of their own.
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
            StringBuilder failures = new StringBuilder();
            for (MappingProtocol candidate : new MappingProtocol[] {MappingProtocol.PCP, MappingProtocol.UPNP}) {
                LeasingPortMapper mapper = new LeasingPortMapper(candidate == MappingProtocol.PCP
                        ? new PcpSession(options) : new UpnpSession(options), options);
                try {
                    PortMapping mapping = mapper.map(transport, internalPort, requestedExternalPort, lease);
                    chosen = mapper;
                    LOG.info("port mapping through {}", mapping.protocol().label());
                    return mapping;
                } catch (NatException e) {
                    mapper.close();
                    LOG.debug("{} did not map: {}", candidate.label(), e.getMessage());
                    failures.append(failures.isEmpty() ? "" : "; ").append(candidate.label()).append(": ")
                            .append(e.getMessage());
                }
            }
            throw new NatException("no port mapping protocol worked (" + failures + ")");
        } finally {
            lock.unlock();
        }
    }

    /** PCP only: NAT-PMP has no IPv6, and UPnP's WANIPv6FirewallControl is not spoken. */
    @Override
    public PortMapping openPinhole(IpProtocol transport, int port, Duration lease) throws NatException {
        LeasingPortMapper mapper;
        lock.lock();
        try {
            if (closed) {
                throw new NatException("port mapper is closed");
            }
            if (pinholes == null) {
                pinholes = new LeasingPortMapper(new PcpSession(options), options);
            }
            mapper = pinholes;
        } finally {
            lock.unlock();
        }
        return mapper.openPinhole(transport, port, lease);
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
