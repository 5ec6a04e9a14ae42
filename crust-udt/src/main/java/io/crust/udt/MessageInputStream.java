package io.crust.udt;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import io.crust.udt.transport.ConnectionDriver;

/**
 * The byte-stream view of received messages: message boundaries disappear, -1 at the peer's close.
 * Bytes are copied straight from the connection's receive buffer into the caller's array.
 */
final class MessageInputStream extends InputStream {
    private final ConnectionDriver driver;
    private final byte[] one = new byte[1];
    private boolean atEnd;

    MessageInputStream(ConnectionDriver driver) {
        this.driver = driver;
    }

    @Override
    public int read() throws IOException {
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (atEnd) {
            return -1;
        }
        try {
            return driver.readStream(b, off, len);
        } catch (EOFException e) {
            atEnd = true;
            return -1;
        }
    }
}
