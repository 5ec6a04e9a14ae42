package io.crust.core.wire;

import io.crust.core.PeerId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads fields from a received message, checking that each one fits in what is left before copying
 * it: a short or lying message fails with {@link WireFormatException}, never with an allocation
 * sized by the sender.
 */
final class WireReader {
    private final ByteBuffer buffer;

    WireReader(byte[] message) {
        this.buffer = ByteBuffer.wrap(message);
    }

    int remaining() {
        return buffer.remaining();
    }

    int u8(String field) throws WireFormatException {
        need(1, field);
        return buffer.get() & 0xff;
    }

    int u16(String field) throws WireFormatException {
        need(2, field);
        return buffer.getShort() & 0xffff;
    }

    int i32(String field) throws WireFormatException {
        need(4, field);
        return buffer.getInt();
    }

    long i64(String field) throws WireFormatException {
        need(8, field);
        return buffer.getLong();
    }

    byte[] bytes(int length, String field) throws WireFormatException {
        need(length, field);
        byte[] out = new byte[length];
        buffer.get(out);
        return out;
    }

    byte[] rest() {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    PeerId peerId(String field) throws WireFormatException {
        byte[] key = bytes(PeerId.KEY_BYTES, field);
        try {
            return PeerId.fromPublicKey(key);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(field + " is not a valid peer id");
        }
    }

    /** Version byte (4 or 6), port (2 bytes, 1-65535), then 4 or 16 address bytes. */
    InetSocketAddress address(String field) throws WireFormatException {
        int version = u8(field + " IP version");
        int length = switch (version) {
            case 4 -> 4;
            case 6 -> 16;
            default -> throw new WireFormatException(field + " has IP version " + version + ", expected 4 or 6");
        };
        int port = u16(field + " port");
        if (port == 0) {
            throw new WireFormatException(field + " has port 0");
        }
        byte[] ip = bytes(length, field);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new WireFormatException(field + " is not an IP address");
        }
    }

    /** A UTF-8 string preceded by a one-byte length. */
    String shortText(String field) throws WireFormatException {
        return utf8(u8(field + " length"), field);
    }

    /** {@code length} bytes of UTF-8. */
    String utf8(int length, String field) throws WireFormatException {
        byte[] raw = bytes(length, field);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new WireFormatException(field + " is not UTF-8");
        }
    }

    void end(String message) throws WireFormatException {
        if (buffer.hasRemaining()) {
            throw new WireFormatException(message + " has " + buffer.remaining() + " trailing bytes");
        }
    }

    private void need(int length, String field) throws WireFormatException {
        if (length < 0 || buffer.remaining() < length) {
            throw new WireFormatException("truncated " + field + ": need " + length + " bytes, " + buffer.remaining() + " left");
        }
    }
}
