package io.crust.core;

import java.util.Arrays;
import java.util.Locale;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The identity of a node on a Crust network: its long-term Ed25519 public key (32 bytes).
 *
 * <p>The text form is the key in lowercase base32 (RFC 4648 section 6 alphabet, no padding):
 * 52 characters, safe to copy, paste and type. {@link #shortForm()} gives the first 8 characters for
 * logs and displays; it is not unique and must never be used to identify a peer.
 *
 * <p>A peer id is only trusted once a handshake has proved that the remote side holds the matching
 * private key; parsing one proves nothing.
 */
public final class PeerId implements Comparable<PeerId> {
    /** Length of an Ed25519 public key in bytes. */
    public static final int KEY_BYTES = 32;
    /** Length of the text form: ceil(256 / 5) base32 characters. */
    public static final int TEXT_CHARS = 52;
    private static final int SHORT_CHARS = 8;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    private final byte[] publicKey;

    private PeerId(byte[] publicKey) {
        this.publicKey = publicKey;
    }

    /**
     * The peer id of an Ed25519 public key.
     *
     * @param ed25519PublicKey the 32-byte public key; copied
     * @return the peer id
     * @throws IllegalArgumentException if the key is not 32 bytes or not a valid curve point
     */
    public static PeerId fromPublicKey(byte[] ed25519PublicKey) {
        if (ed25519PublicKey == null || ed25519PublicKey.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key has " + KEY_BYTES + " bytes, got "
                    + (ed25519PublicKey == null ? "null" : ed25519PublicKey.length));
        }
        if (!Ed25519.validatePublicKeyFull(ed25519PublicKey, 0)) {
            throw new IllegalArgumentException("not a valid Ed25519 public key");
        }
        return new PeerId(ed25519PublicKey.clone());
    }

    /**
     * Parses the 52-character text form written by {@link #toString()} (case-insensitive, surrounding
     * white space ignored).
     *
     * @param text the text form, as a user or a file gives it
     * @return the peer id
     * @throws IllegalArgumentException with a message saying what is wrong with the text
     */
    public static PeerId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("peer id is missing");
        }
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.length() != TEXT_CHARS) {
            throw new IllegalArgumentException("a peer id has " + TEXT_CHARS + " base32 characters, got "
                    + s.length() + " in '" + abbreviate(text) + "'");
        }
        byte[] key = new byte[KEY_BYTES];
        long buffer = 0;
        int bits = 0;
        int out = 0;
        for (int i = 0; i < s.length(); i++) {
            int value = ALPHABET.indexOf(s.charAt(i));
            if (value < 0) {
                throw new IllegalArgumentException("peer id character '" + s.charAt(i) + "' at position " + (i + 1)
                        + " is not base32 (a-z, 2-7)");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                key[out++] = (byte) (buffer >>> bits);
            }
        }
        // 52 * 5 = 260 bits: the 4 bits left over must be zero, so every key has exactly one text form.
        if ((buffer & ((1L << bits) - 1)) != 0) {
            throw new IllegalArgumentException("peer id '" + abbreviate(text) + "' has non-zero padding bits in its last character");
        }
        try {
            return fromPublicKey(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("peer id '" + abbreviate(text) + "' is not a valid Ed25519 public key", e);
        }
    }

    /** {@return a copy of the 32-byte Ed25519 public key} */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** {@return the first 8 characters of the text form, for logs and displays only} Not unique: never use it to identify a peer. */
    public String shortForm() {
        return toString().substring(0, SHORT_CHARS);
    }

    /**
     * Checks a signature by this peer; malformed input gives false, never an exception.
     *
     * @param message   the signed bytes
     * @param signature the 64-byte signature
     * @return true if {@code signature} is a valid Ed25519 signature of {@code message} by this peer
     */
    public boolean verify(byte[] message, byte[] signature) {
        if (message == null || signature == null || signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    /** The 52-character lowercase base32 text form. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(TEXT_CHARS);
        long buffer = 0;
        int bits = 0;
        for (byte b : publicKey) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                text.append(ALPHABET.charAt((int) (buffer >>> bits) & 31));
            }
        }
        if (bits > 0) {
            text.append(ALPHABET.charAt((int) (buffer << (5 - bits)) & 31));
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PeerId that && Arrays.equals(publicKey, that.publicKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    /** Orders by the unsigned bytes of the public key: the same order on every node. */
    @Override
    public int compareTo(PeerId other) {
        return Arrays.compareUnsigned(publicKey, other.publicKey);
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
