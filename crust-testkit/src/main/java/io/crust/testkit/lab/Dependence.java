package io.crust.testkit.lab;

/**
 * How a NAT's mapping or filtering depends on the remote endpoint, in the terms of RFC 4787
 * sections 4.1 (mapping) and 5 (filtering).
 */
public enum Dependence {
    /** The same for every remote endpoint (mapping), or anyone may send in (filtering). */
    ENDPOINT_INDEPENDENT,
    /** Depends on the remote IP address only. */
    ADDRESS_DEPENDENT,
    /** Depends on the remote IP address and port. */
    ADDRESS_AND_PORT_DEPENDENT;

    /** Lower-case words, for tables. */
    public String words() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
