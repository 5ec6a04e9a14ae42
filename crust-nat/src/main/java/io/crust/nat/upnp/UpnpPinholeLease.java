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
 * One pinhole through {@link FirewallControl}. Every request for it, the first, each renewal and each check
 * between renewals, is an AddPinhole: for a pinhole it already has (same remote, internal client, port and
 * protocol) the IGD extends the lease and answers with that pinhole's UniqueID, and one it lost is simply
 * added again. A UniqueID that differs from the last one says the IGD lost the pinhole (it restarted or let it
 * expire). UpdatePinhole is not used: after a restart the IGD numbers pinholes from the start again, so an
 * old UniqueID may name another pinhole of this host, which an update would then renew in this one's place.
 * The pinhole is for any remote host and port; no address is translated, so the external address is the
 * host's own.
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
        boolean lost = !added();
        Duration lifetime = Duration.ofSeconds(leaseSeconds);
        return new Grant(MappingProtocol.UPNP, new InetSocketAddress(host, port), lifetime,
                lifetime.multipliedBy(3).dividedBy(4), lost, false);
    }

    @Override
    public boolean stillMapped() throws NatException {
        return added();
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

    /** AddPinhole; true when the IGD still had the pinhole of the last answer (or there was none before). */
    private boolean added() throws NatException {
        int before = uniqueId;
        uniqueId = control.addPinhole(host, port, transport, leaseSeconds);
        return before < 0 || before == uniqueId;
    }
}
