package io.crust.nat.gateway;

import io.crust.nat.NatException;

/**
 * One mapping as one protocol sees it. {@link #acquire()} creates the mapping or refreshes it (both are the
 * same request in NAT-PMP, PCP and UPnP); {@link #release()} deletes it. Called from one thread at a time.
 */
public interface GatewayLease {

    Grant acquire() throws NatException;

    void release() throws NatException;
}
