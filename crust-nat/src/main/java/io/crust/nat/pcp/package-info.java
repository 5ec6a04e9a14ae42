/**
 * Internal: Port Control Protocol client (RFC 6887), MAP opcode only. {@link io.crust.nat.pcp.PcpMessages}
 * is the pure codec, {@link io.crust.nat.pcp.PcpSession} sends it and falls back to NAT-PMP when the
 * gateway answers with NAT-PMP's Unsupported Version.
 */
package io.crust.nat.pcp;
