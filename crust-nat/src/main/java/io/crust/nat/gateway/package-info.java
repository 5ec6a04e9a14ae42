/**
 * Internal: what NAT-PMP, PCP and UPnP port mapping share. A protocol provides a {@link
 * io.crust.nat.gateway.GatewaySession} that can acquire and release one lease; {@link
 * io.crust.nat.gateway.RenewingMapping} keeps a lease alive in its own virtual thread; {@link
 * io.crust.nat.gateway.UdpExchange} is the bounded request/retransmit loop of NAT-PMP and PCP; {@link
 * io.crust.nat.gateway.DefaultRoute} finds the gateway in {@code /proc/net/route}.
 */
package io.crust.nat.gateway;
