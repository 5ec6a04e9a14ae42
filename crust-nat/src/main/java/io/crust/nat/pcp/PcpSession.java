package io.crust.nat.pcp;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.gateway.DefaultRoute;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.GatewaySession;
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
        return new PcpLease(exchange, nonce, transport, internalPort, requestedExternalPort, lifetimeSeconds,
                new NatPmpSession(options));
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
