package io.crust.nat.gateway;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import java.net.InetAddress;

/** A protocol's access to the gateway: hands out leases, owns what they share (UPnP: the HTTP client). */
public interface GatewaySession extends AutoCloseable {

    MappingProtocol protocol();

    /** A lease not yet acquired; may do discovery (UPnP) but sends no mapping request. */
    GatewayLease lease(IpProtocol transport, int internalPort, int requestedExternalPort, long lifetimeSeconds)
            throws NatException;

    /**
     * A lease not yet acquired on an inbound pinhole in the gateway's IPv6 firewall: packets from anywhere to
     * this host's global IPv6 address and {@code port} let in. Protocols that cannot open one say so.
     */
    default GatewayLease pinholeLease(IpProtocol transport, int port, long lifetimeSeconds) throws NatException {
        throw new NatException(protocol().label() + " cannot open IPv6 pinholes");
    }

    /**
     * The address whose restart announcements (NAT-PMP, PCP: multicast to 224.0.0.1:5350) concern this
     * session's mappings, known once a mapping was made; null for none. For UPnP it is the IGD's address,
     * since a router that also runs NAT-PMP or PCP announces its restart there.
     */
    default InetAddress announcingGateway() throws NatException {
        return null;
    }

    @Override
    void close();
}
