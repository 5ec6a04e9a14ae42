package io.crust.udt;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Receives the datagrams on a {@link UdtEndpoint}'s socket that are not crust-udt: STUN messages
 * (first byte 0-3), hole-punching probes and anything else whose first byte lies outside
 * {@link UdtEndpoint#FIRST_BYTE_MIN}..{@link UdtEndpoint#FIRST_BYTE_MAX} (the RFC 7983 way of sharing
 * one port between protocols).
 */
@FunctionalInterface
public interface ForeignDatagramHandler {
    /**
     * Called on the thread that reads the endpoint's socket (its receive loop, or an application thread
     * waiting for a message that reads the socket meanwhile): must return quickly and must not block. The buffer
     * is only valid during the call (copy what you keep); its position..limit is the datagram.
     * An exception thrown here is logged and counted, and the loop carries on.
     *
     * @param datagram the datagram, between its position and limit
     * @param from where it came from
     */
    void onDatagram(ByteBuffer datagram, InetSocketAddress from);
}
