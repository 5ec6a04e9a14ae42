package io.crust.nat.pcp;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.gateway.DefaultRoute;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.GatewaySession;
import io.crust.nat.gateway.Ipv6Gateway;
import io.crust.nat.gateway.RetransmitSchedule;
import io.crust.nat.gateway.UdpExchange;
import io.crust.nat.pmp.NatPmpSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;

/** PCP towards the default gateway (or the one in the options); NAT-PMP when the gateway only speaks that. */
public final class PcpSession implements GatewaySession {
    /** RFC 6887 section 8.1.1: IRT, the initial retransmission time. */
    public static final Duration INITIAL_RETRANSMIT = Duration.ofSeconds(3);

    private final PortMapperOptions options;
    private final SecureRandom random = new SecureRandom();

    public PcpSession(PortMapperOptions options) {
        this.options = options;
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.PCP;
    }

    @Override
    public GatewayLease lease(IpProtocol transport, int internalPort, int requestedExternalPort, long lifetimeSeconds)
            throws NatException {
        InetAddress gateway = options.gateway() != null ? options.gateway() : DefaultRoute.gateway();
        Duration initial = options.initialRetransmit() != null ? options.initialRetransmit() : INITIAL_RETRANSMIT;
        UdpExchange exchange = new UdpExchange(new InetSocketAddress(gateway, options.gatewayPort()),
                RetransmitSchedule.pcp(initial, options.maxAttempts(), random), options.exchangeTimeout());
        byte[] nonce = new byte[PcpMessages.NONCE_BYTES];
        random.nextBytes(nonce);
        return new PcpLease(exchange, nonce, transport, internalPort, requestedExternalPort, null, lifetimeSeconds,
                new NatPmpSession(options));
    }

    /**
     * A MAP request from this host's global IPv6 address to the IPv6 gateway, which, being a firewall and not a
     * NAT, grants the internal address and port as the external ones. The suggested external address is the
     * IPv6 all-zeros address, which tells the server which family is wanted (RFC 6887 section 11.1: "If the PCP
     * client does not know the external address, or does not have a preference, it MUST use the
     * address-family-specific all-zeros address"). NAT-PMP, which has no IPv6, is no fall-back here.
     */
    @Override
    public GatewayLease pinholeLease(IpProtocol transport, int port, long lifetimeSeconds) throws NatException {
        Ipv6Gateway route = Ipv6Gateway.find(options.gateway());
        Duration initial = options.initialRetransmit() != null ? options.initialRetransmit() : INITIAL_RETRANSMIT;
        UdpExchange exchange = new UdpExchange(new InetSocketAddress(route.gateway(), options.gatewayPort()), route.host(),
                RetransmitSchedule.pcp(initial, options.maxAttempts(), random), options.exchangeTimeout());
        byte[] nonce = new byte[PcpMessages.NONCE_BYTES];
        random.nextBytes(nonce);
        return new PcpLease(exchange, nonce, transport, port, port, PcpMessages.IPV6_ZERO, lifetimeSeconds, null);
    }

    @Override
    public InetAddress announcingGateway() throws NatException {
        return options.gateway() != null ? options.gateway() : DefaultRoute.gateway();
    }

    @Override
    public void close() {
        // nothing held between requests
    }
}
