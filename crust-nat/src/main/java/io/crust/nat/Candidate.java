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
 */
public record Candidate(Type type, InetSocketAddress address, long priority) {

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

        public int typePreference() {
            return typePreference;
        }

        /** One letter, for {@link PunchOffer#encode()}. */
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

    /** RFC 8445 section 5.1.2.1 with component ID 1. */
    public static long priorityOf(Type type, int localPreference) {
        if (localPreference < 0 || localPreference > 65535) {
            throw new IllegalArgumentException("local preference must be 0-65535: " + localPreference);
        }
        return ((long) type.typePreference() << 24) + ((long) localPreference << 8) + 255;
    }

    public static Candidate of(Type type, InetSocketAddress address, int localPreference) {
        return new Candidate(type, address, priorityOf(type, localPreference));
    }

    public static Candidate host(InetSocketAddress address) {
        return of(Type.HOST, address, 65535);
    }

    public static Candidate mapped(InetSocketAddress address) {
        return of(Type.MAPPED, address, 65535);
    }

    public static Candidate serverReflexive(InetSocketAddress address) {
        return of(Type.SERVER_REFLEXIVE, address, 65535);
    }

    public static Candidate peerReflexive(InetSocketAddress address) {
        return of(Type.PEER_REFLEXIVE, address, 65535);
    }
}
