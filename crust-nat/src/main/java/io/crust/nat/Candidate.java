package io.crust.nat;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A transport address at which a peer might be reached (RFC 8445 section 5.1), with its priority.
 *
 * <p>Priority follows RFC 8445 section 5.1.2.1: {@code 2^24 * typePreference + 2^8 *
 * localPreference + (256 - componentId)}, with one component. Host candidates come first (same
 * network), then addresses mapped on the gateway (UPnP, NAT-PMP, PCP: no filtering in the way),
 * then peer-reflexive and server-reflexive ones.
 *
 * @param type     how the address was learned
 * @param address  a resolved IP address and a port other than 0
 * @param priority the RFC 8445 priority, 1 to 2^32-1; higher is tried first
 */
public record Candidate(Type type, InetSocketAddress address, long priority) {

    /** How a candidate was learned, which sets its type preference. */
    public enum Type {
        /** A local interface address. */
        HOST(126, 'H'),
        /** Mapped on the gateway by UPnP, NAT-PMP or PCP. */
        MAPPED(115, 'M'),
        /** Learned from a connectivity check (RFC 8445 section 7.2.5.3.1). */
        PEER_REFLEXIVE(110, 'P'),
        /** Learned from a STUN server. */
        SERVER_REFLEXIVE(100, 'S');

        private final int typePreference;
        private final char code;

        Type(int typePreference, char code) {
            this.typePreference = typePreference;
            this.code = code;
        }

        /** {@return the RFC 8445 type preference, 0 to 126; higher is preferred} */
        public int typePreference() {
            return typePreference;
        }

        /** {@return one letter that names the type in {@link PunchOffer#encode()}} */
        public char code() {
            return code;
        }

        static Type ofCode(char c) {
            for (Type t : values()) {
                if (t.code == c) {
                    return t;
                }
            }
            return null;
        }
    }

    /**
     * Validates the address and the priority.
     *
     * @throws IllegalArgumentException if the address is unresolved or has port 0, or the priority is out of range
     */
    public Candidate {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved() || address.getPort() == 0) {
            throw new IllegalArgumentException("a candidate needs a resolved address and a port: " + address);
        }
        if (priority < 1 || priority > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("priority must be a positive 32-bit value: " + priority);
        }
    }

    /**
     * The priority of RFC 8445 section 5.1.2.1 with component ID 1.
     *
     * @param type            the candidate's type
     * @param localPreference 0 to 65535, to order candidates of one type; higher is preferred
     * @return the priority
     * @throws IllegalArgumentException if localPreference is out of range
     */
    public static long priorityOf(Type type, int localPreference) {
        if (localPreference < 0 || localPreference > 65535) {
            throw new IllegalArgumentException("local preference must be 0-65535: " + localPreference);
        }
        return ((long) type.typePreference() << 24) + ((long) localPreference << 8) + 255;
    }

    /**
     * A candidate with its priority computed by {@link #priorityOf}.
     *
     * @param type            how the address was learned
     * @param address         a resolved IP address and a port other than 0
     * @param localPreference 0 to 65535, to order candidates of one type
     * @return the candidate
     */
    public static Candidate of(Type type, InetSocketAddress address, int localPreference) {
        return new Candidate(type, address, priorityOf(type, localPreference));
    }

    /**
     * A host candidate: the peer may be on the same network.
     *
     * @param address a local interface address and the socket's port
     * @return a host candidate of the highest local preference
     */
    public static Candidate host(InetSocketAddress address) {
        return of(Type.HOST, address, 65535);
    }

    /**
     * A mapped candidate: a port forwarded by UPnP, NAT-PMP or PCP, with no filtering in the way.
     *
     * @param address the external address and port a gateway mapped
     * @return a mapped candidate of the highest local preference
     */
    public static Candidate mapped(InetSocketAddress address) {
        return of(Type.MAPPED, address, 65535);
    }

    /**
     * A server-reflexive candidate: the NAT's binding as a STUN server saw it.
     *
     * @param address the reflexive address a STUN server reported
     * @return a server-reflexive candidate of the highest local preference
     */
    public static Candidate serverReflexive(InetSocketAddress address) {
        return of(Type.SERVER_REFLEXIVE, address, 65535);
    }

    /**
     * A peer-reflexive candidate: an address first seen as the source of a connectivity check.
     *
     * @param address the source address a connectivity check came from
     * @return a peer-reflexive candidate of the highest local preference
     */
    public static Candidate peerReflexive(InetSocketAddress address) {
        return of(Type.PEER_REFLEXIVE, address, 65535);
    }
}
