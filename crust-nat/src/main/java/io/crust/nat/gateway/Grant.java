package io.crust.nat.gateway;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * What the gateway granted for one lease request.
 *
 * @param protocol the protocol that answered (PCP may have fallen back to NAT-PMP)
 * @param external the external address and port
 * @param lifetime the granted lifetime; zero means permanent (UPnP error 725 fall-back)
 * @param renewIn when to renew; zero means never (permanent lease)
 * @param gatewayLostState true when the epoch showed that the gateway rebooted since the previous answer
 * @param doubleNat the external address is private, so another NAT sits upstream
 */
public record Grant(io.crust.nat.MappingProtocol protocol, InetSocketAddress external, Duration lifetime, Duration renewIn, boolean gatewayLostState,
        boolean doubleNat) {
}
