package io.crust.core;

/** The transport under a peer connection. */
public enum Transport {
    /** A TCP connection. */
    TCP,
    /** A crust-udt connection: reliable, ordered, congestion-controlled messages over UDP. */
    UDT
}
