package io.crust.testkit.lab;

/**
 * The kinds of site a {@link NatLab} builds, with the behaviour each must show (checked by the
 * lab self-test). The nft rules behind each are in {@code docs/lab.md}.
 */
public enum NatKind {
    /** No NAT: a public host on the internet segment. */
    NONE(Dependence.ENDPOINT_INDEPENDENT, Dependence.ENDPOINT_INDEPENDENT),
    /** Endpoint-independent mapping and filtering: anyone may reach a mapped port. */
    FULL_CONE(Dependence.ENDPOINT_INDEPENDENT, Dependence.ENDPOINT_INDEPENDENT),
    /** Endpoint-independent mapping; only addresses the host has sent to may reach it. */
    ADDRESS_RESTRICTED_CONE(Dependence.ENDPOINT_INDEPENDENT, Dependence.ADDRESS_DEPENDENT),
    /** Endpoint-independent mapping; only address-and-port pairs the host has sent to (plain masquerade). */
    PORT_RESTRICTED_CONE(Dependence.ENDPOINT_INDEPENDENT, Dependence.ADDRESS_AND_PORT_DEPENDENT),
    /** A new external port for every remote address and port ({@code masquerade fully-random}). */
    SYMMETRIC(Dependence.ADDRESS_AND_PORT_DEPENDENT, Dependence.ADDRESS_AND_PORT_DEPENDENT),
    /** A port-restricted cone router that also runs miniupnpd: UPnP IGD, NAT-PMP and PCP. */
    UPNP(Dependence.ENDPOINT_INDEPENDENT, Dependence.ADDRESS_AND_PORT_DEPENDENT),
    /** A carrier-grade NAT in front of a home NAT, both port-restricted cones. */
    DOUBLE_NAT(Dependence.ENDPOINT_INDEPENDENT, Dependence.ADDRESS_AND_PORT_DEPENDENT);

    private final Dependence mapping;
    private final Dependence filtering;

    NatKind(Dependence mapping, Dependence filtering) {
        this.mapping = mapping;
        this.filtering = filtering;
    }

    /** The mapping behaviour this kind must show (RFC 4787 section 4.1). */
    public Dependence mapping() {
        return mapping;
    }

    /** The filtering behaviour this kind must show (RFC 4787 section 5). */
    public Dependence filtering() {
        return filtering;
    }
}
