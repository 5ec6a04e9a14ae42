package io.crust.core.handshake;

import io.crust.core.HandshakeException.Reason;
import io.crust.core.frame.FrameTransport;
import io.crust.core.noise.Aead;
import io.crust.core.noise.CipherState;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The records inside the Noise transport messages of an established channel (the plaintext of one
 * frame). A message too large for one Noise message (65535 bytes with its 16-byte tag) travels as a
 * DATA_FIRST record that announces the total length, then DATA_MORE records. The receiver checks the
 * announced length against its limit before allocating anything.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | type = 1      |            total message length (32)          |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * | DATA_FIRST    |                               | first bytes...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | type = 2      |  next bytes of the message ...                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   DATA_MORE
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | type = 3      | reason code   |         text length           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | text (UTF-8, 0..512 bytes) ...                                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   CLOSE: reason 0 = normal close, else a handshake refusal code
 * </pre>
 */
final class ChannelRecords {
    static final int DATA_FIRST = 1;
    static final int DATA_MORE = 2;
    static final int CLOSE = 3;
    static final int DATA_FIRST_HEADER_BYTES = 5;
    static final int DATA_MORE_HEADER_BYTES = 1;
    static final int CLOSE_HEADER_BYTES = 4;
    static final int CLOSE_NORMAL = 0;
    static final int MAX_CLOSE_TEXT_BYTES = 512;

    private ChannelRecords() {
    }

    /** Writes a CLOSE record into {@code out}; returns its length. */
    static int encodeClose(int reasonCode, String text, byte[] out) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, MAX_CLOSE_TEXT_BYTES);
        out[0] = CLOSE;
        out[1] = (byte) reasonCode;
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        System.arraycopy(bytes, 0, out, CLOSE_HEADER_BYTES, length);
        return CLOSE_HEADER_BYTES + length;
    }

    /** Encrypts and sends a CLOSE record carrying a refusal; errors are dropped (the caller closes anyway). */
    static void tryWriteClose(FrameTransport transport, CipherState sender, Reason reason, String text) {
        byte[] plaintext = new byte[CLOSE_HEADER_BYTES + MAX_CLOSE_TEXT_BYTES];
        int length = encodeClose(HandshakePayload.reasonCode(reason), text, plaintext);
        byte[] frame = new byte[length + Aead.TAG_BYTES];
        try {
            int frameLength = sender.encryptWithAd(new byte[0], plaintext, 0, length, frame, 0);
            transport.writeFrame(frame, 0, frameLength);
        } catch (GeneralSecurityException | java.io.IOException | RuntimeException e) {
            // best effort
        }
    }

    static int readInt(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16) | ((bytes[offset + 2] & 0xff) << 8)
                | (bytes[offset + 3] & 0xff);
    }
}
