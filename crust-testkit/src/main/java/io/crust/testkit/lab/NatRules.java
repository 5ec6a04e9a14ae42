package io.crust.testkit.lab;

/**
 * The nftables rule sets the lab loads into router namespaces (with {@code nft -f -}). Each router
 * has two interfaces, {@code wan} (towards the internet or the carrier NAT) and {@code lan}.
 * docs/lab.md explains every rule; keep the two in step.
 */
final class NatRules {

    private NatRules() {
    }

    /**
     * A home router's own firewall: drop unsolicited traffic from the WAN addressed to the router
     * itself. Without it the router's stack answers an early TCP SYN with a RST (RFC 5382 REQ-4
     * forbids that for 6 s), which breaks TCP simultaneous open. miniupnpd's STUN check needs the
     * replies that come from the STUN server's other address and port, so a UPnP router accepts
     * those first. IPv6 neighbour discovery on the WAN is let in explicitly, whatever conntrack makes
     * of it: a dual-stack router that ignored its neighbours' solicitations would be unreachable.
     */
    static String firewall(boolean acceptStunReplies) {
        return """
                table inet crust_fw {
                  chain input {
                    type filter hook input priority 0; policy accept;
                    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
                %s    iifname "wan" ct state new drop
                  }
                }
                """.formatted(acceptStunReplies
                ? "    iifname \"wan\" ip saddr { %s, %s } udp sport { 3478, 3479 } accept\n"
                        .formatted(NatLab.INTERNET_PRIMARY, NatLab.INTERNET_SECONDARY)
                : "");
    }

    /**
     * A dual-stack home router's IPv6 firewall (RFC 6092, "recommended simple security"): no
     * translation; what the LAN sends goes out, and only what conntrack matches to it (replies,
     * related ICMPv6 errors) comes in. A UDP packet or TCP SYN from outside to a host is dropped
     * unless the host sent to that remote address and port first: the filtering of a port-restricted
     * cone, which simultaneous sends open as they open a NAT. Traffic between two hosts of the LAN is
     * switched, not filtered: where the kernel passes bridged frames through netfilter
     * ({@code br_netfilter} loaded, as container hosts do), they too meet this chain, with the bridge
     * as both interfaces, and the policy dropped them (IPv6 multicast between LAN hosts, for one).
     */
    static String ipv6Firewall() {
        return """
                table ip6 crust_fw6 {
                  chain forward {
                    type filter hook forward priority 0; policy drop;
                    ct state established,related accept
                    iifname "lan" oifname "wan" accept
                    iifname "lan" oifname "lan" accept
                  }
                }
                """;
    }

    /**
     * The same firewall on a UPnP site, where miniupnpd opens pinholes in it (PCP MAP from an IPv6
     * host, WANIPv6FirewallControl's AddPinhole): its accept rules go to the {@code miniupnpd} chain,
     * which the {@code inet filter} forward chain jumps to first, so the IPv6 rules follow that jump
     * in the same chain (a drop in a base chain of its own would override the pinholes' accepts).
     */
    static String ipv6FirewallWithPinholes() {
        return """
                add rule inet filter forward meta nfproto ipv6 ct state established,related accept
                add rule inet filter forward meta nfproto ipv6 iifname "lan" accept
                add rule inet filter forward meta nfproto ipv6 counter drop
                """;
    }

    /** NAT66: the LAN's unique-local source addresses leave as the router's (see {@link NatLab#dualStackBehindNat66}). */
    static String nat66() {
        return """
                table ip6 crust_nat6 {
                  chain postrouting {
                    type nat hook postrouting priority 100; policy accept;
                    oifname "wan" masquerade
                  }
                }
                """;
    }

    /** The translation rules of a router of {@code kind} (not {@link NatKind#NONE}, not UPNP: see {@link #miniupnpd()}). */
    static String translation(NatKind kind) {
        return switch (kind) {
            // Linux masquerade keeps the source port when it is free, and conntrack lets in only
            // replies from the exact remote address and port: EIM with APDF.
            case PORT_RESTRICTED_CONE, DOUBLE_NAT -> """
                    table ip crust_nat {
                      chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        oifname "wan" masquerade
                      }
                    }
                    """;
            // A random external port for every new connection tuple: endpoint-dependent mapping.
            case SYMMETRIC -> """
                    table ip crust_nat {
                      chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        oifname "wan" masquerade fully-random
                      }
                    }
                    """;
            // Remember each outbound (protocol, source port) with its LAN host; inbound traffic
            // from anyone to that port is sent to that host. Relies on masquerade keeping the
            // port, so the external port equals the internal one.
            case FULL_CONE -> """
                    table ip crust_nat {
                      map fullcone {
                        type inet_proto . inet_service : ipv4_addr; flags dynamic, timeout; timeout 120s;
                      }
                      chain forward {
                        type filter hook forward priority 0; policy accept;
                        iifname "lan" oifname "wan" meta l4proto { tcp, udp } update @fullcone { meta l4proto . th sport : ip saddr }
                      }
                      chain prerouting {
                        type nat hook prerouting priority -100; policy accept;
                        iifname "wan" meta l4proto { tcp, udp } dnat to meta l4proto . th dport map @fullcone
                      }
                      chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        oifname "wan" masquerade
                      }
                    }
                    """;
            // As full cone, but the key includes the remote address the host sent to: only that
            // address (from any port) may come in.
            case ADDRESS_RESTRICTED_CONE -> """
                    table ip crust_nat {
                      map restricted {
                        type inet_proto . ipv4_addr . inet_service : ipv4_addr; flags dynamic, timeout; timeout 120s;
                      }
                      chain forward {
                        type filter hook forward priority 0; policy accept;
                        iifname "lan" oifname "wan" meta l4proto { tcp, udp } update @restricted { meta l4proto . ip daddr . th sport : ip saddr }
                      }
                      chain prerouting {
                        type nat hook prerouting priority -100; policy accept;
                        iifname "wan" meta l4proto { tcp, udp } dnat to meta l4proto . ip saddr . th dport map @restricted
                      }
                      chain postrouting {
                        type nat hook postrouting priority 100; policy accept;
                        oifname "wan" masquerade
                      }
                    }
                    """;
            case UPNP -> miniupnpd();
            case NONE -> throw new IllegalArgumentException("a public host has no NAT rules");
        };
    }

    /**
     * The tables Debian's miniupnpd-nftables expects (its init script would create them, but fails
     * in a namespace): miniupnpd adds its dnat rules to {@code prerouting_miniupnpd} and its
     * forward accepts to {@code miniupnpd}. Masquerade comes after its own postrouting chain, for IPv4
     * only: a dual-stack UPnP site translates no IPv6, as a dual-stack home router does not.
     */
    static String miniupnpd() {
        return """
                table inet filter {
                  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
                  chain miniupnpd { }
                  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
                  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; oifname "wan" meta nfproto ipv4 masquerade; }
                  chain prerouting_miniupnpd { }
                  chain postrouting_miniupnpd { }
                }
                """;
    }

    /**
     * Random loss of {@code percent} % of the TCP and UDP packets a router forwards, each way.
     */
    static String routerLoss(int percent) {
        return """
                table inet crust_loss {
                  chain forward { type filter hook forward priority -10; policy accept; %s; }
                }
                """.formatted(drop(percent));
    }

    /**
     * Random loss of {@code percent} % of the TCP and UDP packets entering and leaving a host's
     * {@code device}. Netdev hooks, not the output chain: a drop in output would fail the sender's
     * {@code send} with EPERM, where a real lossy link fails silently.
     */
    static String hostLoss(int percent, String device) {
        return """
                table netdev crust_loss {
                  chain lossin { type filter hook ingress device "%1$s" priority 0; policy accept; %2$s; }
                  chain lossout { type filter hook egress device "%1$s" priority 0; policy accept; %2$s; }
                }
                """.formatted(device, drop(percent));
    }

    private static String drop(int percent) {
        return percent >= 100 ? "meta l4proto { tcp, udp } drop"
                : "meta l4proto { tcp, udp } numgen random mod 100 < " + percent + " drop";
    }
}
