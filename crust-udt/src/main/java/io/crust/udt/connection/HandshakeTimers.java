package io.crust.udt.connection;

import io.crust.udt.packet.AcceptPacket;
import io.crust.udt.packet.InitialPacket;
import io.crust.udt.packet.PacketType;
import java.nio.ByteBuffer;

/**
 * The handshake's own retransmission: a client repeats its INITIAL (with the latest cookie) and a
 * server repeats its ACCEPT until the client's first DATA packet confirms it. Both wait 200 ms first
 * and double the wait each time, up to 2 s. A server also answers every repeated INITIAL at once.
 */
final class HandshakeTimers {
    private static final long FIRST_RETRY_NANOS = 200_000_000L;
    private static final long MAX_RETRY_NANOS = 2_000_000_000L;

    private byte[] cookie = new byte[0];
    private long nextInitialNanos;
    private long backoffNanos = FIRST_RETRY_NANOS;
    private boolean acceptPending;
    private boolean confirmed;
    private long acceptResendNanos;

    HandshakeTimers(long nowNanos) {
        nextInitialNanos = nowNanos;
        acceptResendNanos = nowNanos;
    }

    // ---- client side

    /** A RETRY arrived: keep its cookie and send the INITIAL again at once. */
    void onRetry(byte[] retryCookie, long nowNanos) {
        cookie = retryCookie;
        nextInitialNanos = nowNanos;
    }

    long nextInitialNanos() {
        return nextInitialNanos;
    }

    void encodeInitial(ByteBuffer out, boolean rendezvous, long localId, long nowNanos) {
        new InitialPacket(PacketType.PROTOCOL_VERSION, rendezvous, localId, cookie).encodeTo(out);
        nextInitialNanos = nowNanos + backoff();
    }

    // ---- server side

    /** Send ACCEPT at the next opportunity (first time, or the INITIAL came again). */
    void requestAccept() {
        acceptPending = !confirmed;
    }

    boolean acceptPending() {
        return acceptPending;
    }

    void encodeAccept(ByteBuffer out, long peerId, long localId, long nowNanos) {
        acceptPending = false;
        new AcceptPacket(PacketType.PROTOCOL_VERSION, peerId, localId).encodeTo(out);
        acceptResendNanos = nowNanos + backoff();
    }

    /** A DATA packet arrived: the peer has our ACCEPT. */
    void onConfirmed() {
        confirmed = true;
        acceptPending = false;
    }

    boolean confirmed() {
        return confirmed;
    }

    void onTimers(long nowNanos) {
        if (!confirmed && !acceptPending && nowNanos >= acceptResendNanos) {
            acceptPending = true;
        }
    }

    /** When an unconfirmed server next repeats its ACCEPT. */
    long acceptResendNanos() {
        return acceptResendNanos;
    }

    private long backoff() {
        long wait = backoffNanos;
        backoffNanos = Math.min(2 * backoffNanos, MAX_RETRY_NANOS);
        return wait;
    }
}
