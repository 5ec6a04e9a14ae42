package io.crust.core.wire;

import io.crust.core.PeerId;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Builds a message field by field, big-endian; the counterpart of {@link WireReader}. */
final class WireWriter {
    private final ByteArrayOutputStream out;

    WireWriter(int expectedBytes) {
        this.out = new ByteArrayOutputStream(expectedBytes);
    }

    WireWriter u8(int value) {
        out.write(value);
        return this;
    }

    WireWriter u16(int value) {
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    WireWriter i32(int value) {
        u16(value >>> 16);
        return u16(value & 0xffff);
    }

    WireWriter i64(long value) {
        i32((int) (value >>> 32));
        return i32((int) value);
    }

    WireWriter bytes(byte[] value) {
        out.writeBytes(value);
        return this;
    }

    WireWriter peerId(PeerId id) {
        return bytes(id.publicKey());
    }

    WireWriter address(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        u8(address.getAddress() instanceof Inet4Address ? 4 : 6);
        u16(address.getPort());
        return bytes(ip);
    }

    /** One length byte, then up to 255 bytes of UTF-8 (longer text is cut at a character boundary). */
    WireWriter shortText(String text) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        int length = raw.length;
        while (length > 255) {
            length--;
            while (length > 0 && (raw[length] & 0xc0) == 0x80) {
                length--;
            }
        }
        u8(length);
        out.write(raw, 0, length);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
