package io.crust.nat.upnp;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper.Transport;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.GatewaySession;
import io.crust.nat.upnp.IgdDescription.WanService;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UPnP IGD port mapping: SSDP discovery once (at the first lease), then SOAP calls to the WAN connection
 * service it found. Owns the HTTP client; {@link #close()} releases it.
 */
public final class UpnpSession implements GatewaySession {
    private static final Logger LOG = LoggerFactory.getLogger(UpnpSession.class);
    private static final int MAX_DESCRIPTION_BYTES = 64 * 1024;
    /** IGD:2 WANIPConnection allows NewLeaseDuration 0..604800 s (one week); longer asks are cut to that. */
    static final long MAX_LEASE_SECONDS = 604_800;

    private final PortMapperOptions options;
    private final IgdClient client;
    private final ReentrantLock lock = new ReentrantLock();
    private Gateway gateway;

    /** The discovered IGD: its WAN service and the address of ours that it sees. */
    record Gateway(WanService service, InetAddress internalClient) {
    }

    public UpnpSession(PortMapperOptions options) {
        this.options = options;
        this.client = new IgdClient(options.httpTimeout());
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.UPNP;
    }

    @Override
    public GatewayLease lease(Transport transport, int internalPort, int requestedExternalPort, long lifetimeSeconds)
            throws NatException {
        return new UpnpLease(client, gateway(), transport, internalPort, requestedExternalPort,
                Math.min(lifetimeSeconds, MAX_LEASE_SECONDS), options.description());
    }

    private Gateway gateway() throws NatException {
        lock.lock();
        try {
            if (gateway == null) {
                gateway = discover();
            }
            return gateway;
        } finally {
            lock.unlock();
        }
    }

    private Gateway discover() throws NatException {
        List<SsdpSearch.Found> found = SsdpSearch.search(options.ssdpTarget(), options.discoveryTimeout());
        NatException last = null;
        for (SsdpSearch.Found f : found) {
            try {
                byte[] xml = client.get(f.response().location(), MAX_DESCRIPTION_BYTES);
                WanService service = IgdDescription.parse(xml, f.response().location());
                InetAddress self = localAddressTowards(f.from(), service.controlUrl().getPort());
                LOG.info("UPnP IGD at {}: {} (we are {})", f.response().location(), service.serviceType(),
                        self.getHostAddress());
                return new Gateway(service, self);
            } catch (NatException e) {
                LOG.debug("IGD candidate {} unusable: {}", f.response().location(), e.getMessage());
                last = e;
            }
        }
        throw new NatException("no usable UPnP IGD: " + last.getMessage(), last);
    }

    /** The local address the kernel would use to reach the IGD: the NewInternalClient to map to. */
    private static InetAddress localAddressTowards(InetAddress igd, int port) throws NatException {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(igd, port < 0 ? 80 : port));
            return probe.getLocalAddress();
        } catch (IOException e) {
            throw new NatException("no route to the IGD at " + igd.getHostAddress(), e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
