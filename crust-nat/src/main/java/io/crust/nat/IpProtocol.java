package io.crust.nat;

/**
 * The IP protocol of a forwarded port. (Named apart from crust-core's {@code Transport}, which is how a
 * peer connection is carried: TCP or crust-udt.)
 */
public enum IpProtocol {
    UDP, TCP;

    /** {@code udp} or {@code tcp}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
