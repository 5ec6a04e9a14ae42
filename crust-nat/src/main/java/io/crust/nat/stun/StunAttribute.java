package io.crust.nat.stun;

import java.util.Arrays;
import java.util.Objects;

/**
 * One STUN attribute: its 16-bit type and its value without padding (RFC 8489 section 14).
 * The constants are the types crust-nat reads or writes.
 */
public record StunAttribute(int type, byte[] value) {
    /** RFC 8489 section 14.1 (also RFC 3489 section 11.2.1). */
    public static final int MAPPED_ADDRESS = 0x0001;
    /** RFC 3489 section 11.2.2: the classic way to ask for the answer elsewhere (not sent by us). */
    public static final int RESPONSE_ADDRESS = 0x0002;
    /** RFC 5780 section 7.2. */
    public static final int CHANGE_REQUEST = 0x0003;
    /** RFC 3489 section 11.2.5: the classic RESPONSE-ORIGIN. */
    public static final int SOURCE_ADDRESS = 0x0004;
    /** RFC 3489 section 11.2.3: the classic OTHER-ADDRESS. */
    public static final int CHANGED_ADDRESS = 0x0005;
    /** RFC 8489 section 14.3. */
    public static final int USERNAME = 0x0006;
    /** RFC 8489 section 14.5: HMAC-SHA1, 20 bytes. */
    public static final int MESSAGE_INTEGRITY = 0x0008;
    /** RFC 8489 section 14.8. */
    public static final int ERROR_CODE = 0x0009;
    /** RFC 8489 section 14.9. */
    public static final int UNKNOWN_ATTRIBUTES = 0x000A;
    /** RFC 8489 section 14.2. */
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** RFC 8445 section 16.1: ICE PRIORITY. */
    public static final int PRIORITY = 0x0024;
    /** RFC 8445 section 16.1: ICE USE-CANDIDATE (empty value). */
    public static final int USE_CANDIDATE = 0x0025;
    /** RFC 5780 section 7.5. */
    public static final int RESPONSE_PORT = 0x0027;
    /** RFC 8489 section 14.14. */
    public static final int SOFTWARE = 0x8022;
    /** RFC 8489 section 14.7: CRC-32 XOR 0x5354554e, 4 bytes, always last. */
    public static final int FINGERPRINT = 0x8028;
    /** RFC 8445 section 16.1: ICE-CONTROLLED tie-breaker. */
    public static final int ICE_CONTROLLED = 0x8029;
    /** RFC 8445 section 16.1: ICE-CONTROLLING tie-breaker. */
    public static final int ICE_CONTROLLING = 0x802A;
    /** RFC 5780 section 7.3. */
    public static final int RESPONSE_ORIGIN = 0x802B;
    /** RFC 5780 section 7.4. */
    public static final int OTHER_ADDRESS = 0x802C;

    public StunAttribute {
        if (type < 0 || type > 0xFFFF) {
            throw new IllegalArgumentException("attribute type out of range: " + type);
        }
        Objects.requireNonNull(value, "value");
        if (value.length > 0xFFFF) {
            throw new IllegalArgumentException("attribute value too long: " + value.length);
        }
    }

    /**
     * Comprehension-required attributes have types 0x0000-0x7FFF (RFC 8489 section 14): an agent
     * that does not understand one must reject the message.
     */
    public boolean comprehensionRequired() {
        return type < 0x8000;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunAttribute other && other.type == type && Arrays.equals(other.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("StunAttribute[0x%04x, %d bytes]", type, value.length);
    }
}
