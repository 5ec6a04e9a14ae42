package io.crust.udt;

import java.io.IOException;
import java.io.OutputStream;
import io.crust.udt.transport.ConnectionDriver;

/** The byte-stream view for sending: each write goes out as one message (split if very large). */
final class MessageOutputStream extends OutputStream {
    private static final int MAX_CHUNK = 1 << 20;
    private final ConnectionDriver driver;

    MessageOutputStream(ConnectionDriver driver) {
        this.driver = driver;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, Math.min(MAX_CHUNK, driver.maxMessageBytes()));
            driver.sendMessage(b, off + done, n, -1);
            done += n;
        }
    }

    /** Closes the connection gracefully. */
    @Override
    public void close() throws IOException {
        driver.close();
    }
}
