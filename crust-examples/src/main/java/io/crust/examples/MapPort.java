package io.crust.examples;

import io.crust.nat.IpProtocol;
import io.crust.nat.PortMapper;
import io.crust.nat.PortMapperOptions;
import io.crust.nat.PortMappers;
import io.crust.nat.PortMapping;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * crust-nat alone: ask the router (PCP, then NAT-PMP, then UPnP IGD) to forward a UDP port to this host,
 * keep the mapping renewed until Enter is pressed, then delete it. Usage: {@code MapPort PORT}.
 */
public final class MapPort {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        try (PortMapper mapper = PortMappers.auto(PortMapperOptions.defaults());
                PortMapping mapping = mapper.map(IpProtocol.UDP, port, port, Duration.ofHours(1))) {
            System.out.println("mapped " + mapping.external() + " -> local port " + port + " by "
                    + mapping.protocol().label() + ", lease " + mapping.lifetime());
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }                                                  // close deletes the mapping on the router
        System.out.println("mapping deleted");
    }
}
