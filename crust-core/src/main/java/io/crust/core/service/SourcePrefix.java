package io.crust.core.service;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The network a source address belongs to, for admission limits: its /24 for IPv4, its /48 for
 * IPv6 (what one site or one customer usually gets, so a crowd of addresses from one network
 * counts as one source). A long: the family in bits 48-49, the prefix bits below.
 */
final class SourcePrefix {
    private SourcePrefix() {
    }

    static long of(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return 1L << 48 | (b[0] & 0xFFL) << 16 | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL);
        }
        long bits = 0;
        for (int i = 0; i < 6; i++) {
            bits = bits << 8 | (b[i] & 0xFFL);
        }
        return 2L << 48 | bits;
    }
}
