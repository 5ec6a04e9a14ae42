package io.crust.nat.gateway;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.PortMapper.IpProtocol;

/** A protocol's access to the gateway: hands out leases, owns what they share (UPnP: the HTTP client). */
public interface GatewaySession extends AutoCloseable {

    MappingProtocol protocol();

    /** A lease not yet acquired; may do discovery (UPnP) but sends no mapping request. */
    GatewayLease lease(IpProtocol transport, int internalPort, int requestedExternalPort, long lifetimeSeconds)
            throws NatException;

    @Override
    void close();
}
