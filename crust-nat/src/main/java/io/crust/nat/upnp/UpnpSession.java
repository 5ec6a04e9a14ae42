package io.crust.nat.upnp;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper.Transport;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.GatewaySession;

/** UPnP IGD port mapping. */
public final class UpnpSession implements GatewaySession {
    private final PortMapperOptions options;

    public UpnpSession(PortMapperOptions options) {
        this.options = options;
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.UPNP;
    }

    @Override
    public GatewayLease lease(Transport transport, int internalPort, int requestedExternalPort, long lifetimeSeconds)
            throws NatException {
        throw new NatException("UPnP IGD mapping is not implemented yet (discovery timeout " + options.discoveryTimeout() + ")");
    }

    @Override
    public void close() {
    }
}
