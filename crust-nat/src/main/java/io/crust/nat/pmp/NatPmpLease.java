package io.crust.nat.pmp;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.AddressKinds;
import io.crust.nat.gateway.EpochTracker;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.Grant;
import io.crust.nat.gateway.UdpExchange;
import io.crust.nat.pmp.NatPmpMessages.ExternalAddressResponse;
import io.crust.nat.pmp.NatPmpMessages.MapResponse;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One NAT-PMP mapping. Each {@link #acquire()} asks for the external address (section 3.2) and then sends
 * the mapping request (section 3.3), suggesting the port it got last time so that a renewal, or a re-map
 * after a gateway reboot, keeps the same external port when it can. {@link #release()} sends the same
 * request with lifetime 0 and suggested port 0 (section 3.4).
 */
final class NatPmpLease implements GatewayLease {
    private final UdpExchange exchange;
    private final IpProtocol transport;
    private final int internalPort;
    private final long lifetimeSeconds;
    private final EpochTracker epochs = new EpochTracker();
    private int suggestedExternalPort;
    private Inet4Address externalAddress;

    NatPmpLease(UdpExchange exchange, IpProtocol transport, int internalPort, int requestedExternalPort, long lifetimeSeconds) {
        this.exchange = exchange;
        this.transport = transport;
        this.internalPort = internalPort;
        this.suggestedExternalPort = requestedExternalPort;
        this.lifetimeSeconds = lifetimeSeconds;
    }

    @Override
    public Grant acquire() throws NatException {
        try (DatagramSocket socket = exchange.open()) {
            ExternalAddressResponse address = exchange.exchange(socket, NatPmpMessages.externalAddressRequest(),
                    NatPmpMessages::decodeExternalAddress);
            // every answer carries the epoch, an error too (section 3.6)
            boolean lost = epochs.observe(address.epochSeconds(), System.nanoTime());
            check(address.resultCode(), "external address request");
            MapResponse mapped = send(socket, suggestedExternalPort, lifetimeSeconds);
            lost |= epochs.observe(mapped.epochSeconds(), System.nanoTime());
            check(mapped.resultCode(), "mapping request for " + transport.label() + " port " + internalPort);
            if (mapped.lifetimeSeconds() == 0 || mapped.externalPort() == 0) {
                throw new NatException("NAT-PMP gateway " + exchange.gateway() + " answered success without a mapping (port "
                        + mapped.externalPort() + ", lifetime " + mapped.lifetimeSeconds() + " s)");
            }
            suggestedExternalPort = mapped.externalPort();
            externalAddress = address.address();
            Duration lifetime = Duration.ofSeconds(mapped.lifetimeSeconds());
            return new Grant(MappingProtocol.NAT_PMP, new InetSocketAddress(address.address(), mapped.externalPort()),
                    lifetime, lifetime.dividedBy(2), lost, AddressKinds.isPrivate(address.address()));
        }
    }

    /**
     * Asks for the external address (section 3.2): two bytes out, twelve back, and the answer carries the
     * epoch. The mapping is gone when the epoch shows lost state or the external address changed.
     */
    @Override
    public boolean stillMapped() throws NatException {
        try (DatagramSocket socket = exchange.open()) {
            ExternalAddressResponse address = exchange.exchange(socket, NatPmpMessages.externalAddressRequest(),
                    NatPmpMessages::decodeExternalAddress);
            boolean lost = epochs.observe(address.epochSeconds(), System.nanoTime());
            check(address.resultCode(), "external address request");
            return !lost && address.address().equals(externalAddress);
        }
    }

    @Override
    public void release() throws NatException {
        try (DatagramSocket socket = exchange.open()) {
            MapResponse deleted = send(socket, 0, 0);
            check(deleted.resultCode(), "deletion of " + transport.label() + " port " + internalPort);
        }
    }

    private MapResponse send(DatagramSocket socket, int suggested, long lifetime) throws NatException {
        byte[] request = NatPmpMessages.mapRequest(transport, internalPort, suggested, lifetime);
        return exchange.exchange(socket, request, datagram -> {
            MapResponse r = NatPmpMessages.decodeMap(datagram, transport);
            // a success for another internal port answers some other request: not ours
            return r != null && r.resultCode() == 0 && r.internalPort() != internalPort ? null : r;
        });
    }

    private void check(int resultCode, String what) throws NatException {
        if (resultCode != 0) {
            throw new NatException("NAT-PMP gateway " + exchange.gateway() + " refused the " + what + ": "
                    + NatPmpMessages.resultName(resultCode) + " (" + resultCode + ")");
        }
    }
}
