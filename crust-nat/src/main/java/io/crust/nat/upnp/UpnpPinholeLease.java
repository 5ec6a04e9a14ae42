package io.crust.nat.upnp;

import io.crust.nat.IpProtocol;
import io.crust.nat.MappingProtocol;
import io.crust.nat.NatException;
import io.crust.nat.gateway.GatewayLease;
import io.crust.nat.gateway.Grant;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One pinhole through {@link FirewallControl}: AddPinhole the first time, UpdatePinhole to renew, and AddPinhole
 * again when the IGD answers NoSuchEntry (it restarted or let the pinhole expire). The check between renewals is
 * an UpdatePinhole too: the service has no cheaper question that says whether a pinhole exists (miniupnpd answers
 * GetPinholePackets for any UniqueID). The pinhole is for any remote host and port; no address is translated, so
 * the external address is the host's own.
 */
final class UpnpPinholeLease implements GatewayLease {
    private final FirewallControl control;
    private final Inet6Address host;
    private final IpProtocol transport;
    private final int port;
    private final long leaseSeconds;
    private int uniqueId = -1;

    UpnpPinholeLease(FirewallControl control, Inet6Address host, IpProtocol transport, int port, long leaseSeconds) {
        this.control = control;
        this.host = host;
        this.transport = transport;
        this.port = port;
        this.leaseSeconds = Math.max(1, Math.min(leaseSeconds, FirewallControl.MAX_LEASE_SECONDS));
    }

    @Override
    public Grant acquire() throws NatException {
        boolean lost = false;
        if (uniqueId >= 0) {
            if (renewed()) {
                return grant(false);
            }
            lost = true;
        }
        uniqueId = control.addPinhole(host, port, transport, leaseSeconds);
        return grant(lost);
    }

    @Override
    public boolean stillMapped() throws NatException {
        return uniqueId >= 0 && renewed();
    }

    @Override
    public void release() throws NatException {
        if (uniqueId < 0) {
            return;
        }
        try {
            control.deletePinhole(uniqueId);
        } catch (UpnpActionException e) {
            if (e.errorCode() != FirewallControl.NO_SUCH_ENTRY) {
                throw e;
            }
        }
        uniqueId = -1;
    }

    /** UpdatePinhole: true when renewed, false when the IGD no longer has the pinhole. */
    private boolean renewed() throws NatException {
        try {
            control.updatePinhole(uniqueId, leaseSeconds);
            return true;
        } catch (UpnpActionException e) {
            if (e.errorCode() == FirewallControl.NO_SUCH_ENTRY) {
                return false;
            }
            throw e;
        }
    }

    private Grant grant(boolean gatewayLostState) {
        Duration lifetime = Duration.ofSeconds(leaseSeconds);
        return new Grant(MappingProtocol.UPNP, new InetSocketAddress(host, port), lifetime,
                lifetime.multipliedBy(3).dividedBy(4), gatewayLostState, false);
    }
}
