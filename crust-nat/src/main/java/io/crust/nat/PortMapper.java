package io.crust.nat;

import io.crust.nat.gateway.AutoPortMapper;
import io.crust.nat.gateway.LeasingPortMapper;
import io.crust.nat.pcp.PcpSession;
import io.crust.nat.pmp.NatPmpSession;
import io.crust.nat.upnp.UpnpSession;
import java.time.Duration;

/**
 * Asks the gateway (the home router) to forward a port from its external side to this host.
 *
 * <pre>{@code
 * try (PortMapper mapper = PortMapper.auto(PortMapperOptions.defaults());
 *      PortMapping mapping = mapper.map(PortMapper.IpProtocol.UDP, 4000, 4000, Duration.ofHours(1))) {
 *     tellPeers(mapping.external());
 *     ...
 * } // the mapping is deleted on the gateway here
 * }</pre>
 *
 * <p>All calls block; every wait is bounded by {@link PortMapperOptions}. Closing the mapper closes every
 * mapping it made that is still open and releases its threads and sockets.
 */
public interface PortMapper extends AutoCloseable {

    /**
     * The IP protocol of a forwarded port. (Named apart from crust-core's {@code Transport}, which is
     * how a peer connection is carried: TCP or crust-udt.)
     */
    enum IpProtocol {
        UDP, TCP;

        /** {@code udp} or {@code tcp}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

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

    /** The protocol this mapper speaks; for {@link #auto} the one that worked, or {@code null} before the first success. */
    MappingProtocol protocol();

    /** Closes the mappings still open and releases sockets and threads. */
    @Override
    void close();

    /**
     * A mapper that tries PCP, then NAT-PMP, then UPnP IGD, and sticks to the first that maps.
     *
     * <p>Why this order: PCP and NAT-PMP are one small UDP exchange with the default gateway, carry their own
     * lease and a reboot signal (the epoch), and need no multicast, HTTP or XML; a PCP request to a NAT-PMP-only
     * server is answered with UNSUPP_VERSION (RFC 6887 section 9), so the fall-back costs one round trip. UPnP
     * comes last: discovery waits for multicast answers, and its trust model (any LAN host may answer SSDP)
     * is weaker. A gateway that runs no NAT-PMP/PCP server usually answers with ICMP port unreachable, which
     * ends those attempts at once.
     */
    static PortMapper auto(PortMapperOptions options) {
        return new AutoPortMapper(options);
    }

    /** Speaks only the given protocol. */
    static PortMapper of(MappingProtocol protocol, PortMapperOptions options) {
        return switch (protocol) {
            case PCP -> new LeasingPortMapper(new PcpSession(options), options);
            case NAT_PMP -> new LeasingPortMapper(new NatPmpSession(options), options);
            case UPNP -> new LeasingPortMapper(new UpnpSession(options), options);
        };
    }
}
