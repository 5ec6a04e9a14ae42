package io.crust.nat;

import java.time.Duration;

/**
 * Asks the gateway (the home router) to forward a port from its external side to this host.
 *
 * <pre>{@code
 * try (PortMapper mapper = PortMappers.auto(PortMapperOptions.defaults());
 *      PortMapping mapping = mapper.map(IpProtocol.UDP, 4000, 4000, Duration.ofHours(1))) {
 *     tellPeers(mapping.external());
 *     ...
 * } // the mapping is deleted on the gateway here
 * }</pre>
 *
 * <p>{@link PortMappers} makes them. All calls block; every wait is bounded by {@link PortMapperOptions}.
 * Closing the mapper closes every mapping it made that is still open and releases its threads and sockets.
 */
public interface PortMapper extends AutoCloseable {

    /**
     * Creates a mapping and starts renewing it.
     *
     * @param ipProtocol UDP or TCP
     * @param internalPort the port on this host, 1..65535
     * @param requestedExternalPort the external port wished for, 0 for "any"; the gateway may give another one
     * @param lease the lifetime to ask for, at least 1 s; the gateway may grant less, and the mapping renews it
     * @return the mapping; close it to delete it on the gateway
     * @throws NatException when the gateway cannot be reached, refuses, or answers nonsense (the message says which)
     */
    PortMapping map(IpProtocol ipProtocol, int internalPort, int requestedExternalPort, Duration lease)
            throws NatException;

    /**
     * Opens an inbound pinhole in the gateway's IPv6 firewall, so that hosts outside can reach this host's global
     * IPv6 address on {@code port}, and starts renewing it. No address is translated: {@link PortMapping#external()}
     * is this host's own address (the global address of the interface facing the IPv6 gateway) and {@code port}.
     * The gateway is the IPv6 default route's, or {@link PortMapperOptions#gateway()} when that is an IPv6
     * address. PCP asks for it with a MAP request from that address, UPnP with WANIPv6FirewallControl's
     * AddPinhole sent over IPv6 from that address; NAT-PMP has no IPv6 and fails with a {@link NatException}
     * that says so, as does an IGD without that service.
     *
     * @param ipProtocol UDP or TCP
     * @param port the port on this host, 1..65535
     * @param lease the lifetime to ask for, at least 1 s; the gateway may grant less, and the pinhole renews it
     * @return the pinhole; close it to delete it on the gateway
     * @throws NatException when there is no IPv6 gateway or global address, or the gateway cannot be reached,
     *         refuses, or answers nonsense (the message says which)
     */
    PortMapping openPinhole(IpProtocol ipProtocol, int port, Duration lease) throws NatException;

    /** {@return the protocol this mapper speaks} For {@link PortMappers#auto} the one that worked, or {@code null} before the first success. */
    MappingProtocol protocol();

    /** Closes the mappings still open and releases sockets and threads. */
    @Override
    void close();
}
