package io.crust.nat;

/**
 * The IP protocol of a forwarded port. (Named apart from crust-core's {@code Transport}, which is how a
 * peer connection is carried: TCP or crust-udt.)
 */
public enum IpProtocol {
    /** A UDP port, as crust-udt and STUN use. */
    UDP,
    /** A TCP port, as the TCP transport uses. */
    TCP;

    /** {@return {@code udp} or {@code tcp}} */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
