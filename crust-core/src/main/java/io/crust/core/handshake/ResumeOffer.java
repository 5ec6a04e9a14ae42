package io.crust.core.handshake;

import java.util.Arrays;
import java.util.Objects;

/**
 * What an initiator puts into the last handshake message when the new connection is meant to continue
 * a failed one (resumption, docs/connection-group.md): which connection failed, and how many of the
 * peer's application messages it handed to its application from that connection. The responder
 * answers on the new connection (a RESUME message) with its own count, or refuses.
 *
 * @param connection the failed connection's tag: the first {@link #TAG_BYTES} bytes of its handshake
 *     hash, the same at both ends and never reused
 * @param delivered APP messages of that connection handed to the application
 */
public record ResumeOffer(byte[] connection, long delivered) {
    /** Bytes of a connection tag. */
    public static final int TAG_BYTES = 16;
    /** Bytes of an offer in the handshake payload. */
    static final int ENCODED_BYTES = TAG_BYTES + 8;

    public ResumeOffer {
        Objects.requireNonNull(connection, "connection");
        if (connection.length != TAG_BYTES) {
            throw new IllegalArgumentException("a connection tag has " + TAG_BYTES + " bytes, got " + connection.length);
        }
        if (delivered < 0) {
            throw new IllegalArgumentException("delivered must not be negative: " + delivered);
        }
        connection = connection.clone();
    }

    /** The tag of the connection whose handshake hash this is. */
    public static byte[] tagOf(byte[] handshakeHash) {
        return Arrays.copyOf(handshakeHash, TAG_BYTES);
    }

    /** True if this offer is about the connection with that handshake hash. */
    public boolean names(byte[] handshakeHash) {
        return java.security.MessageDigest.isEqual(connection, tagOf(handshakeHash));
    }

    @Override
    public byte[] connection() {
        return connection.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResumeOffer other && other.delivered == delivered && Arrays.equals(other.connection, connection);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(connection) + Long.hashCode(delivered);
    }

    @Override
    public String toString() {
        return "ResumeOffer[" + java.util.HexFormat.of().formatHex(connection, 0, 4) + "…, delivered=" + delivered + "]";
    }
}
