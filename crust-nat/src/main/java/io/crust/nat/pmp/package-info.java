/**
 * Internal: NAT Port Mapping Protocol client (RFC 6886). {@link io.crust.nat.pmp.NatPmpMessages} is the
 * pure codec, {@link io.crust.nat.pmp.NatPmpSession} sends it to the gateway.
 */
package io.crust.nat.pmp;
