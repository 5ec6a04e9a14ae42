package io.crust.core;

import io.crust.nat.IpLiteral;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A blacklist entry for {@link CrustNode#ban(BanRule)}: a peer id (checked after the handshake), one IP
 * address or a CIDR block (both checked before the handshake, as a connection arrives or is dialled).
 */
public sealed interface BanRule {
    /**
     * Bans one peer id.
     *
     * @param id the peer id to refuse after the handshake
     * @return the rule
     */
    static BanRule peer(PeerId id) {
        return new PeerRule(id);
    }

    /**
     * Bans one IP address.
     *
     * @param address the address to refuse, IPv4 or IPv6
     * @return the rule, a CIDR block of one address
     */
    static BanRule ip(InetAddress address) {
        return new CidrRule(address, address.getAddress().length * 8);
    }

    /**
     * Bans a block written as {@code address/prefix}, for example {@code 10.0.0.0/8} or {@code fd00::/8}.
     * Text without a prefix bans one address. No name lookup is done.
     *
     * @param text {@code address/prefix} or a bare address, as a user typed it
     * @return the rule
     * @throws IllegalArgumentException if the text is not a literal address with a valid prefix length
     */
    static BanRule cidr(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        String host = (slash < 0 ? text : text.substring(0, slash)).strip();
        InetAddress address = literal(host, text);
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("CIDR '" + text + "' has no numeric prefix length after '/'");
            }
        }
        return new CidrRule(address, prefix);
    }

    /**
     * Checks a peer id, after the handshake.
     *
     * @param id a peer id proven in a handshake
     * @return true if the rule matches this peer id
     */
    boolean matches(PeerId id);

    /**
     * Checks an address, before the handshake.
     *
     * @param address the remote address of a connection arriving or being dialled
     * @return true if the rule matches this address
     */
    boolean matches(InetAddress address);

    /**
     * Bans one peer id.
     *
     * @param id the peer id refused
     */
    record PeerRule(PeerId id) implements BanRule {
        /**
         * Checks that the id is present.
         *
         * @throws NullPointerException if id is null
         */
        public PeerRule {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public boolean matches(PeerId other) {
            return id.equals(other);
        }

        @Override
        public boolean matches(InetAddress address) {
            return false;
        }
    }

    /**
     * Bans every address whose first {@code prefixBits} bits equal those of {@code network}.
     *
     * @param network    an address of the block; bits past the prefix are ignored
     * @param prefixBits the prefix length, 0 to 32 for IPv4 and 0 to 128 for IPv6
     */
    record CidrRule(InetAddress network, int prefixBits) implements BanRule {
        /**
         * Checks the prefix length against the address family.
         *
         * @throws IllegalArgumentException if prefixBits is outside 0 to the address's bit length
         */
        public CidrRule {
            Objects.requireNonNull(network, "network");
            int bits = network.getAddress().length * 8;
            if (prefixBits < 0 || prefixBits > bits) {
                throw new IllegalArgumentException("prefix length " + prefixBits + " is outside 0.." + bits);
            }
        }

        @Override
        public boolean matches(PeerId id) {
            return false;
        }

        @Override
        public boolean matches(InetAddress address) {
            byte[] a = network.getAddress();
            byte[] b = address.getAddress();
            if (a.length != b.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != b[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (b[full] & mask);
        }

        @Override
        public String toString() {
            return network.getHostAddress() + "/" + prefixBits;
        }
    }

    private static InetAddress literal(String host, String text) {
        try {
            return IpLiteral.parse(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a literal IP address or CIDR block: " + e.getMessage(), e);
        }
    }
}
