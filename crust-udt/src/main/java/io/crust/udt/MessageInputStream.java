package io.crust.udt;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import io.crust.udt.transport.ConnectionDriver;

/** The byte-stream view of received messages: message boundaries disappear, -1 at the peer's close. */
final class MessageInputStream extends InputStream {
    private final ConnectionDriver driver;
    private byte[] current = new byte[0];
    private int position;
    private boolean atEnd;

    MessageInputStream(ConnectionDriver driver) {
        this.driver = driver;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (position == current.length) {
            if (atEnd) {
                return -1;
            }
            try {
                current = driver.receiveMessage(-1);
                position = 0;
            } catch (EOFException e) {
                atEnd = true;
                return -1;
            }
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return current.length - position;
    }
}
