package io.crust.core;

/** How a peer connection was made. */
public enum Route {
    /** We dialled an address given to {@link CrustNode#connect}, or a candidate that answered directly. */
    DIRECT,
    /** A path opened by hole punching or TCP simultaneous open, arranged through a rendezvous peer. */
    PUNCHED,
    /** We dialled a port mapping the remote side made on its router (UPnP, NAT-PMP or PCP). */
    MAPPED,
    /** Traffic is tunnelled, still encrypted end to end, through a third peer that allows relaying. */
    RELAYED,
    /** We dialled a peer announced by the LAN beacon. */
    LAN,
    /** The remote side dialled us. */
    BOOTSTRAP_IN,
    /** We dialled a bootstrap candidate: the bootstrap cache or a configured contact. */
    BOOTSTRAP_OUT
}
