package io.crust.nat.stun;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A STUN message (RFC 8489 section 5): a 20-byte header followed by attributes.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Magic Cookie                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * |                     Transaction ID (96 bits)                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Type                  |            Length             |  attribute (section 14),
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  repeated; value padded
 * |                         Value (variable)                ....     to a multiple of 4 bytes
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * All fields are big-endian. The message length counts the attribute bytes only (padding
 * included), so it is a multiple of 4. The magic cookie is 0x2112A442; a message without it is
 * an RFC 3489 ("classic") message whose 128-bit transaction ID starts where the cookie would be.
 * This class keeps the 16 bytes after the length field together as {@link #cookieAndId()}: they
 * identify the transaction and are the XOR mask of XOR-MAPPED-ADDRESS.
 *
 * <p>Decoding validates every length before it copies anything: a datagram that is not a
 * well-formed message gives a {@link StunFormatException} that names the broken field.
 */
public final class StunMessage {
    public static final int HEADER_BYTES = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;

    /** Binding method (0x001) in its four classes (RFC 8489 section 5, figure 3). */
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_INDICATION = 0x0011;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;

    private static final int MAX_ATTRIBUTES = 64;
    private static final int FINGERPRINT_XOR = 0x5354554e;
    private static final int INTEGRITY_BYTES = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int type;
    private final byte[] cookieAndId;
    private final List<StunAttribute> attributes;
    /** The datagram this message was decoded from, or null for a message we built. */
    private final byte[] raw;
    private final int integrityOffset;
    private final int fingerprintOffset;

    private StunMessage(int type, byte[] cookieAndId, List<StunAttribute> attributes, byte[] raw,
            int integrityOffset, int fingerprintOffset) {
        this.type = type;
        this.cookieAndId = cookieAndId;
        this.attributes = attributes;
        this.raw = raw;
        this.integrityOffset = integrityOffset;
        this.fingerprintOffset = fingerprintOffset;
    }

    /** A fresh transaction: the magic cookie followed by 96 random bits. */
    public static byte[] newTransactionId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        ByteBuffer.wrap(id).putInt(0, MAGIC_COOKIE);
        return id;
    }

    /**
     * Quick test for demultiplexing (RFC 7983 and RFC 8489 section 6): big enough, first two
     * bits zero, length field consistent with the datagram. Does not validate attributes.
     */
    public static boolean looksLikeStun(ByteBuffer datagram) {
        int size = datagram.remaining();
        if (size < HEADER_BYTES || size % 4 != 0) {
            return false;
        }
        int p = datagram.position();
        return (datagram.get(p) & 0xC0) == 0 && (datagram.getShort(p + 2) & 0xFFFF) == size - HEADER_BYTES;
    }

    /** Decodes the remaining bytes of {@code datagram} (its position is left unchanged). */
    public static StunMessage decode(ByteBuffer datagram) throws StunFormatException {
        ByteBuffer in = datagram.duplicate();
        int size = in.remaining();
        if (size < HEADER_BYTES) {
            throw new StunFormatException("STUN message too short: " + size + " bytes, the header alone is 20");
        }
        byte[] raw = new byte[size];
        in.get(raw);
        ByteBuffer b = ByteBuffer.wrap(raw);
        int type = b.getShort(0) & 0xFFFF;
        if ((type & 0xC000) != 0) {
            throw new StunFormatException("not a STUN message: the first two bits must be zero");
        }
        int length = b.getShort(2) & 0xFFFF;
        if (length != size - HEADER_BYTES) {
            throw new StunFormatException("STUN length field says " + length + " attribute bytes but the datagram carries "
                    + (size - HEADER_BYTES));
        }
        if (length % 4 != 0) {
            throw new StunFormatException("STUN length " + length + " is not a multiple of 4");
        }
        byte[] cookieAndId = Arrays.copyOfRange(raw, 4, HEADER_BYTES);
        List<StunAttribute> attributes = new ArrayList<>();
        int integrityOffset = -1;
        int fingerprintOffset = -1;
        int pos = HEADER_BYTES;
        while (pos < size) {
            if (fingerprintOffset >= 0) {
                throw new StunFormatException("attribute after FINGERPRINT at byte " + pos + " (FINGERPRINT must be last)");
            }
            if (size - pos < 4) {
                throw new StunFormatException("truncated attribute header at byte " + pos);
            }
            int attrType = b.getShort(pos) & 0xFFFF;
            int attrLength = b.getShort(pos + 2) & 0xFFFF;
            int padded = (attrLength + 3) & ~3;
            if (padded > size - pos - 4) {
                throw new StunFormatException(String.format(
                        "attribute 0x%04x at byte %d claims %d bytes but only %d remain", attrType, pos, attrLength,
                        size - pos - 4));
            }
            if (attributes.size() == MAX_ATTRIBUTES) {
                throw new StunFormatException("more than " + MAX_ATTRIBUTES + " attributes");
            }
            if (attrType == StunAttribute.FINGERPRINT) {
                if (attrLength != 4) {
                    throw new StunFormatException("FINGERPRINT must be 4 bytes, was " + attrLength);
                }
                fingerprintOffset = pos;
            } else if (attrType == StunAttribute.MESSAGE_INTEGRITY && integrityOffset < 0) {
                if (attrLength != INTEGRITY_BYTES) {
                    throw new StunFormatException("MESSAGE-INTEGRITY must be 20 bytes, was " + attrLength);
                }
                integrityOffset = pos;
            } else if (integrityOffset >= 0) {
                // RFC 8489 section 14.5: attributes after MESSAGE-INTEGRITY, other than FINGERPRINT, are ignored.
                pos += 4 + padded;
                continue;
            }
            attributes.add(new StunAttribute(attrType, Arrays.copyOfRange(raw, pos + 4, pos + 4 + attrLength)));
            pos += 4 + padded;
        }
        return new StunMessage(type, cookieAndId, List.copyOf(attributes), raw, integrityOffset, fingerprintOffset);
    }

    /** Starts a message of {@code type} in the transaction {@code cookieAndId} (16 bytes). */
    public static Builder builder(int type, byte[] cookieAndId) {
        return new Builder(type, cookieAndId);
    }

    public int type() {
        return type;
    }

    /** The 16 bytes after the length field: magic cookie and transaction ID (a copy). */
    public byte[] cookieAndId() {
        return cookieAndId.clone();
    }

    /** True when this message belongs to the transaction {@code cookieAndId}. */
    public boolean inTransaction(byte[] otherCookieAndId) {
        return MessageDigest.isEqual(cookieAndId, otherCookieAndId);
    }

    /** False for RFC 3489 messages, which carry no magic cookie. */
    public boolean hasMagicCookie() {
        return ByteBuffer.wrap(cookieAndId).getInt(0) == MAGIC_COOKIE;
    }

    /** The attributes in order, without those that follow MESSAGE-INTEGRITY (except FINGERPRINT). */
    public List<StunAttribute> attributes() {
        return attributes;
    }

    /** The value of the first attribute of {@code attributeType}, or null. */
    public byte[] attribute(int attributeType) {
        for (StunAttribute a : attributes) {
            if (a.type() == attributeType) {
                return a.value().clone();
            }
        }
        return null;
    }

    public boolean has(int attributeType) {
        for (StunAttribute a : attributes) {
            if (a.type() == attributeType) {
                return true;
            }
        }
        return false;
    }

    public boolean hasIntegrity() {
        return integrityOffset >= 0;
    }

    public boolean hasFingerprint() {
        return fingerprintOffset >= 0;
    }

    /**
     * Checks MESSAGE-INTEGRITY (RFC 8489 section 14.5): HMAC-SHA1 keyed by {@code key} over the
     * message up to the attribute, with the length field counting up to the end of the
     * attribute. For short-term credentials the key is the password (ICE, RFC 8445 section 7.2.2).
     */
    public boolean integrityValid(byte[] key) {
        if (raw == null || integrityOffset < 0) {
            return false;
        }
        byte[] expected = hmac(key, raw, integrityOffset, integrityOffset - HEADER_BYTES + 4 + INTEGRITY_BYTES);
        byte[] actual = Arrays.copyOfRange(raw, integrityOffset + 4, integrityOffset + 4 + INTEGRITY_BYTES);
        return MessageDigest.isEqual(expected, actual);
    }

    /**
     * Checks FINGERPRINT (RFC 8489 section 14.7): CRC-32 of the message up to the attribute,
     * with the length field counting the attribute, XOR 0x5354554e.
     */
    public boolean fingerprintValid() {
        if (raw == null || fingerprintOffset < 0) {
            return false;
        }
        int expected = crc(raw, fingerprintOffset, fingerprintOffset - HEADER_BYTES + 8);
        return ByteBuffer.wrap(raw).getInt(fingerprintOffset + 4) == expected;
    }

    @Override
    public String toString() {
        return String.format("StunMessage[type=0x%04x, tx=%s, %d attributes]", type,
                HexFormat.of().formatHex(cookieAndId, 4, 16), attributes.size());
    }

    static byte[] hmac(byte[] key, byte[] message, int end, int lengthField) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            // An empty key is not allowed by SecretKeySpec; RFC 8489 credentials are never empty.
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA1"));
            mac.update(message, 0, 2);
            mac.update((byte) (lengthField >>> 8));
            mac.update((byte) lengthField);
            mac.update(message, 4, end - 4);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is a required JDK algorithm", e);
        }
    }

    static int crc(byte[] message, int end, int lengthField) {
        CRC32 crc = new CRC32();
        crc.update(message, 0, 2);
        crc.update(lengthField >>> 8);
        crc.update(lengthField & 0xFF);
        crc.update(message, 4, end - 4);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    /** Assembles a message; MESSAGE-INTEGRITY and FINGERPRINT are added last by {@link #encode}. */
    public static final class Builder {
        private final int type;
        private final byte[] cookieAndId;
        private final List<StunAttribute> attributes = new ArrayList<>();

        private Builder(int type, byte[] cookieAndId) {
            if ((type & 0xC000) != 0) {
                throw new IllegalArgumentException("message type must fit 14 bits: " + type);
            }
            if (cookieAndId.length != 16) {
                throw new IllegalArgumentException("cookie and transaction ID must be 16 bytes, was " + cookieAndId.length);
            }
            this.type = type;
            this.cookieAndId = cookieAndId.clone();
        }

        public Builder add(int attributeType, byte[] value) {
            attributes.add(new StunAttribute(attributeType, value));
            return this;
        }

        public Builder add(int attributeType, String utf8) {
            return add(attributeType, utf8.getBytes(StandardCharsets.UTF_8));
        }

        /** Encodes without MESSAGE-INTEGRITY, with FINGERPRINT. */
        public ByteBuffer encode() {
            return encode(null, true);
        }

        /**
         * Encodes the message, then appends MESSAGE-INTEGRITY keyed by {@code integrityKey}
         * (unless null) and FINGERPRINT (if asked), in that order as RFC 8489 requires.
         */
        public ByteBuffer encode(byte[] integrityKey, boolean fingerprint) {
            int attributeBytes = 0;
            for (StunAttribute a : attributes) {
                attributeBytes += 4 + ((a.value().length + 3) & ~3);
            }
            int total = HEADER_BYTES + attributeBytes + (integrityKey != null ? 24 : 0) + (fingerprint ? 8 : 0);
            if (total - HEADER_BYTES > 0xFFFF) {
                throw new IllegalArgumentException("STUN message too long: " + total + " bytes");
            }
            byte[] out = new byte[total];
            ByteBuffer b = ByteBuffer.wrap(out);
            b.putShort((short) type).putShort((short) 0).put(cookieAndId);
            for (StunAttribute a : attributes) {
                b.putShort((short) a.type()).putShort((short) a.value().length).put(a.value());
                b.position(b.position() + ((4 - a.value().length % 4) % 4));
            }
            if (integrityKey != null) {
                int end = b.position();
                byte[] mac = hmac(integrityKey, out, end, end - HEADER_BYTES + 24);
                b.putShort((short) StunAttribute.MESSAGE_INTEGRITY).putShort((short) INTEGRITY_BYTES).put(mac);
            }
            if (fingerprint) {
                int end = b.position();
                int crc = crc(out, end, end - HEADER_BYTES + 8);
                b.putShort((short) StunAttribute.FINGERPRINT).putShort((short) 4).putInt(crc);
            }
            b.putShort(2, (short) (total - HEADER_BYTES));
            return ByteBuffer.wrap(out);
        }
    }
}
