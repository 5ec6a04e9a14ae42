package io.crust.nat;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A port forwarded by the gateway from its external side to this host, kept alive until closed.
 *
 * <p>The mapping owns one virtual thread ({@code crust-nat-renew-...}) that renews the lease before it
 * ends: at half the granted lifetime for NAT-PMP and PCP (RFC 6886 section 3.3, RFC 6887 section 11.2.1),
 * at three quarters for UPnP. Between renewals it checks every {@link PortMapperOptions#checkInterval()}
 * that the gateway still holds the mapping (the epoch of a NAT-PMP or PCP answer, a UPnP read-back), and
 * the mapper listens for the gateway's restart announcements; when the gateway lost its state (it
 * rebooted), the mapping is requested again within seconds. The external port may then change, so read
 * {@link #external()} when you need it rather than caching it.
 *
 * <p>{@link #close()} stops the renewal and deletes the mapping on the gateway (lifetime 0 for NAT-PMP and
 * PCP, DeletePortMapping for UPnP). It is idempotent and safe to call from any thread.
 */
public interface PortMapping extends AutoCloseable {

    /** The address and port that hosts on the gateway's external side send to. */
    InetSocketAddress external();

    /** The port on this host that the gateway forwards to. */
    int internalPort();

    /** The IP protocol of the forwarded port: UDP or TCP. */
    IpProtocol ipProtocol();

    /** The gateway protocol that made this mapping. */
    MappingProtocol protocol();

    /**
     * The lease the gateway granted at the last (re)mapping. {@link Duration#ZERO} means permanent: a UPnP
     * gateway that only supports permanent leases (error 725); such a mapping still disappears on close.
     */
    Duration lifetime();

    /**
     * True when the gateway's external address is itself private (RFC 1918, RFC 6598 shared, link-local):
     * another NAT sits between this gateway and the internet, so the mapping does not make the port
     * reachable from the internet by itself.
     */
    boolean doubleNat();

    /** Stops renewing and deletes the mapping on the gateway. Failures are logged, not thrown: the lease expires anyway. */
    @Override
    void close();
}
