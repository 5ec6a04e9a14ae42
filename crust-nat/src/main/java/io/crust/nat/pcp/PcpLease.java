package io.crust.nat.pcp;

import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.IpProtocol;
import io.crust.nat.gateway.AddressKinds;
import io.crust.nat.gateway.EpochTracker;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.Grant;
import io.crust.nat.gateway.UdpExchange;
import io.crust.nat.pcp.PcpMessages.Response;
import io.crust.nat.pmp.NatPmpSession;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PCP MAP mapping (RFC 6887 section 11). The nonce stays the same for the mapping's life: the server
 * uses it to recognise renewals and deletion (lifetime 0) as coming from the owner (section 11.2).
 * Answers whose nonce, protocol or internal port differ belong to some other request and are ignored.
 * When the server turns out to speak only NAT-PMP, the lease continues as a NAT-PMP lease (section 9).
 */
final class PcpLease implements GatewayLease {
    private static final Logger LOG = LoggerFactory.getLogger(PcpLease.class);

    private final UdpExchange exchange;
    private final byte[] nonce;
    private final IpProtocol transport;
    private final int internalPort;
    private final long lifetimeSeconds;
    private final NatPmpSession fallback;
    private final EpochTracker epochs = new EpochTracker();
    private int suggestedExternalPort;
    private InetAddress suggestedExternal;
    private GatewayLease natPmp;

    /**
     * @param suggestedExternal the external address to suggest at first; null for "any IPv4 address"
     * @param fallback          where to continue when the server speaks only NAT-PMP; null where NAT-PMP cannot serve
     *                          (an IPv6 pinhole)
     */
    PcpLease(UdpExchange exchange, byte[] nonce, IpProtocol transport, int internalPort, int requestedExternalPort,
            InetAddress suggestedExternal, long lifetimeSeconds, NatPmpSession fallback) {
        this.exchange = exchange;
        this.nonce = nonce.clone();
        this.transport = transport;
        this.internalPort = internalPort;
        this.suggestedExternalPort = requestedExternalPort;
        this.suggestedExternal = suggestedExternal;
        this.lifetimeSeconds = lifetimeSeconds;
        this.fallback = fallback;
    }

    @Override
    public Grant acquire() throws NatException {
        if (natPmp != null) {
            return natPmp.acquire();
        }
        Response r = send(lifetimeSeconds);
        // RFC 6887 sec. 9: "If the version number in the UNSUPP_VERSION response is zero then that means this is a
        // NAT-PMP server [RFC6886], and a client MAY choose to communicate with it using the older NAT-PMP protocol, as
        // described in Appendix A."
        if (r.natPmpOnly()) {
            if (fallback == null) {
                throw new NatException("gateway " + exchange.gateway() + " speaks NAT-PMP only, which cannot open IPv6 pinholes");
            }
            LOG.info("gateway {} speaks NAT-PMP only (answered PCP with Unsupported Version): falling back", exchange.gateway());
            natPmp = fallback.lease(transport, internalPort, suggestedExternalPort, lifetimeSeconds);
            return natPmp.acquire();
        }
        // every answer carries the epoch, an error too (section 8.5)
        boolean lost = epochs.observe(r.epochSeconds(), System.nanoTime());
        check(r, "MAP request for " + transport.label() + " port " + internalPort);
        if (r.lifetimeSeconds() == 0) {
            throw new NatException("PCP gateway " + exchange.gateway() + " granted lifetime 0");
        }
        suggestedExternalPort = r.externalPort();
        suggestedExternal = r.externalAddress();
        Duration lifetime = Duration.ofSeconds(r.lifetimeSeconds());
        return new Grant(MappingProtocol.PCP, new InetSocketAddress(r.externalAddress(), r.externalPort()), lifetime,
                lifetime.dividedBy(2), lost, AddressKinds.isPrivate(r.externalAddress()));
    }

    /**
     * Sends ANNOUNCE (section 14.1), a 24-byte header whose answer carries the server's epoch; the mapping
     * is gone when the epoch shows that the server lost its state (section 8.5). After a fall-back, NAT-PMP's
     * check.
     */
    @Override
    public boolean stillMapped() throws NatException {
        if (natPmp != null) {
            return natPmp.stillMapped();
        }
        try (DatagramSocket socket = exchange.open()) {
            byte[] request = PcpMessages.announceRequest(socket.getLocalAddress());
            PcpMessages.Announce answer = exchange.exchange(socket, request, PcpMessages::decodeAnnounce);
            if (answer.resultCode() != 0) {
                LOG.debug("PCP gateway {} answered ANNOUNCE with {}; its epoch still counts", exchange.gateway(),
                        PcpMessages.resultName(answer.resultCode()));
            }
            return !epochs.observe(answer.epochSeconds(), System.nanoTime());
        }
    }

    @Override
    public void release() throws NatException {
        if (natPmp != null) {
            natPmp.release();
            return;
        }
        check(send(0), "deletion of " + transport.label() + " port " + internalPort);
    }

    private Response send(long lifetime) throws NatException {
        try (DatagramSocket socket = exchange.open()) {
            // The client address field must be the source address the server sees (section 8.1), else ADDRESS_MISMATCH.
            InetAddress client = socket.getLocalAddress();
            byte[] request = PcpMessages.mapRequest(client, lifetime, nonce, transport, internalPort,
                    suggestedExternalPort, suggestedExternal);
            return exchange.exchange(socket, request, datagram -> {
                Response r = PcpMessages.decodeMap(datagram);
                if (r == null || r.nonce() == null) {
                    return r;
                }
                boolean ours = Arrays.equals(r.nonce(), nonce) && r.internalPort() == internalPort
                        && r.protocol() == PcpMessages.ianaProtocol(transport);
                return ours ? r : null;
            });
        }
    }

    private void check(Response r, String what) throws NatException {
        if (r.resultCode() != 0) {
            String version = r.version() != PcpMessages.VERSION ? " (server speaks version " + r.version() + ")" : "";
            throw new NatException("PCP gateway " + exchange.gateway() + " refused the " + what + ": "
                    + PcpMessages.resultName(r.resultCode()) + " (" + r.resultCode() + ")" + version);
        }
    }
}
