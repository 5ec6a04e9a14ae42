package io.crust.nat;

import io.crust.nat.gateway.AutoPortMapper;
import io.crust.nat.gateway.LeasingPortMapper;
import io.crust.nat.pcp.PcpSession;
import io.crust.nat.pmp.NatPmpSession;
import io.crust.nat.upnp.UpnpSession;

/**
 * Makes {@link PortMapper}s. (Apart from the interface, so that the implementations, which implement
 * it, and the interface do not import each other.)
 */
public final class PortMappers {
    private PortMappers() {
    }

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
    public static PortMapper auto(PortMapperOptions options) {
        return new AutoPortMapper(options);
    }

    /** Speaks only the given protocol. */
    public static PortMapper of(MappingProtocol protocol, PortMapperOptions options) {
        return switch (protocol) {
            case PCP -> new LeasingPortMapper(new PcpSession(options), options);
            case NAT_PMP -> new LeasingPortMapper(new NatPmpSession(options), options);
            case UPNP -> new LeasingPortMapper(new UpnpSession(options), options);
        };
    }
}
