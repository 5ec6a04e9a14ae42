package io.crust.nat.gateway;

import io.crust.nat.NatException;

/**
 * One mapping as one protocol sees it. {@link #acquire()} creates the mapping or refreshes it (both are the
 * same request in NAT-PMP, PCP and UPnP); {@link #stillMapped()} asks cheaply whether the gateway still holds
 * it; {@link #release()} deletes it. Called from one thread at a time.
 */
public interface GatewayLease {

    Grant acquire() throws NatException;

    /**
     * Whether the gateway still holds the mapping granted last: false when its epoch shows that it lost its
     * state (NAT-PMP, PCP), when its external address changed, or when the mapping is gone (UPnP).
     *
     * @throws NatException when the gateway gave no usable answer, which says nothing either way
     */
    boolean stillMapped() throws NatException;

    void release() throws NatException;
}
