package io.crust.core.handshake;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * What both sides of a secure channel must agree on, and the limits one side enforces.
 *
 * @param networkName the name of the Crust network; peers of different networks refuse each other
 *     (1 to 255 bytes of UTF-8)
 * @param protocolVersion the Crust protocol version; peers refuse each other unless equal (0 to 65535)
 * @param timeout the longest a whole handshake may take; the transport is closed after it
 * @param maxMessageBytes the largest application message sent or accepted on the channel
 */
public record HandshakeParams(String networkName, int protocolVersion, Duration timeout, int maxMessageBytes) {
    /** The protocol version this code speaks. */
    public static final int CURRENT_PROTOCOL_VERSION = 1;
    /** Default handshake time limit. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Default largest application message: 1 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;
    /** Upper bound of {@link #maxMessageBytes()}: 256 MiB. */
    public static final int MAX_MESSAGE_BYTES_LIMIT = 1 << 28;
    /** Upper bound of the network name in UTF-8 bytes. */
    public static final int MAX_NETWORK_NAME_BYTES = 255;

    public HandshakeParams {
        Objects.requireNonNull(networkName, "networkName");
        Objects.requireNonNull(timeout, "timeout");
        int nameBytes = networkName.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes < 1 || nameBytes > MAX_NETWORK_NAME_BYTES) {
            throw new IllegalArgumentException("network name must be 1.." + MAX_NETWORK_NAME_BYTES + " UTF-8 bytes, got " + nameBytes);
        }
        if (protocolVersion < 0 || protocolVersion > 0xffff) {
            throw new IllegalArgumentException("protocol version must be 0..65535, got " + protocolVersion);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive, got " + timeout);
        }
        if (maxMessageBytes < 1 || maxMessageBytes > MAX_MESSAGE_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxMessageBytes must be 1.." + MAX_MESSAGE_BYTES_LIMIT + ", got " + maxMessageBytes);
        }
    }

    /** The current protocol version, a 10 s handshake limit and 1 MiB messages on the given network. */
    public static HandshakeParams defaults(String networkName) {
        return new HandshakeParams(networkName, CURRENT_PROTOCOL_VERSION, DEFAULT_TIMEOUT, DEFAULT_MAX_MESSAGE_BYTES);
    }
}
