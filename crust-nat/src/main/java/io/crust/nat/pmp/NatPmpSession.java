package io.crust.nat.pmp;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.gateway.DefaultRoute;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.GatewaySession;
import io.crust.nat.gateway.RetransmitSchedule;
import io.crust.nat.gateway.UdpExchange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/** NAT-PMP towards the default gateway (or the one in the options). Holds no sockets between requests. */
public final class NatPmpSession implements GatewaySession {
    /** RFC 6886 section 3.1: "the client ... waits 250 ms" before the first retransmission. */
    public static final Duration INITIAL_RETRANSMIT = Duration.ofMillis(250);

    private final PortMapperOptions options;

    public NatPmpSession(PortMapperOptions options) {
        this.options = options;
    }

    @Override
    public MappingProtocol protocol() {
        return MappingProtocol.NAT_PMP;
    }

    @Override
    public GatewayLease lease(IpProtocol transport, int internalPort, int requestedExternalPort, long lifetimeSeconds)
            throws NatException {
        return new NatPmpLease(exchange(options), transport, internalPort, requestedExternalPort, lifetimeSeconds);
    }

    static UdpExchange exchange(PortMapperOptions options) throws NatException {
        InetAddress gateway = options.gateway() != null ? options.gateway() : DefaultRoute.gateway();
        Duration initial = options.initialRetransmit() != null ? options.initialRetransmit() : INITIAL_RETRANSMIT;
        return new UdpExchange(new InetSocketAddress(gateway, options.gatewayPort()),
                RetransmitSchedule.natPmp(initial, options.maxAttempts()), options.exchangeTimeout());
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
