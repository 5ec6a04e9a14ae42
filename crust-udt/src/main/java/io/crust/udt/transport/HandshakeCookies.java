package io.crust.udt.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless handshake cookies (the SYN-cookie idea, as QUIC's Retry token in RFC 9000 sec. 8.1.2):
 * {@code HMAC-SHA256(secret, time bucket | client address | client port | client connection id)}
 * truncated to 16 bytes. The secret is random per endpoint and never leaves it, so only a client that
 * receives datagrams at its claimed address can return a valid cookie; the server remembers nothing
 * until then. A cookie is valid in the bucket it was made in and the next one (10 to 20 s).
 * Used only on the receive loop thread ({@link Mac} is not thread-safe).
 */
final class HandshakeCookies {
    static final int COOKIE_BYTES = 16;
    private static final long BUCKET_NANOS = 10_000_000_000L;
    /** The longest a cookie stays valid: its own bucket and the next. */
    static final long VALIDITY_NANOS = 2 * BUCKET_NANOS;

    private final Mac mac;
    private final ByteBuffer input = ByteBuffer.allocate(8 + 16 + 2 + 8);

    HandshakeCookies(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    byte[] mint(InetSocketAddress client, long clientConnectionId, long nowNanos) {
        return compute(Math.floorDiv(nowNanos, BUCKET_NANOS), client, clientConnectionId);
    }

    boolean verify(byte[] cookie, InetSocketAddress client, long clientConnectionId, long nowNanos) {
        if (cookie.length != COOKIE_BYTES) {
            return false;
        }
        long bucket = Math.floorDiv(nowNanos, BUCKET_NANOS);
        return MessageDigest.isEqual(cookie, compute(bucket, client, clientConnectionId))
                || MessageDigest.isEqual(cookie, compute(bucket - 1, client, clientConnectionId));
    }

    private byte[] compute(long bucket, InetSocketAddress client, long clientConnectionId) {
        input.clear();
        input.putLong(bucket);
        byte[] address = client.getAddress().getAddress();
        input.put(address); // 4 or 16 bytes
        input.putShort((short) client.getPort());
        input.putLong(clientConnectionId);
        input.flip();
        mac.update(input);
        byte[] full = mac.doFinal();
        byte[] cookie = new byte[COOKIE_BYTES];
        System.arraycopy(full, 0, cookie, 0, COOKIE_BYTES);
        return cookie;
    }
}
