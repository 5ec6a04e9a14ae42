package io.crust.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
    /** A stream that counts its read calls and hands out at most {@code chunk} bytes per call. */
    private static final class CountingStream extends InputStream {
        final ByteArrayInputStream bytes;
        final int chunk;
        int reads;

        CountingStream(byte[] data, int chunk) {
            this.bytes = new ByteArrayInputStream(data);
            this.chunk = chunk;
        }

        @Override
        public int read() {
            throw new AssertionError("read byte by byte");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reads++;
            return bytes.read(b, off, Math.min(len, chunk));
        }
    }

    private static byte[] frames(int... sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int size : sizes) {
            out.write(size >>> 8);
            out.write(size);
            byte[] body = new byte[size];
            Arrays.fill(body, (byte) size);
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    @Test
    void smallFramesThatArriveTogetherAreTakenFromOneRead() throws IOException {
        CountingStream in = new CountingStream(frames(10, 20, 30), 1 << 16);
        FrameReader reader = new FrameReader(in, 1000, 4096, "test");

        assertThat(reader.next().length()).isEqualTo(10);
        assertThat(reader.next().length()).isEqualTo(20);
        Frame third = reader.next();

        assertThat(third.length()).isEqualTo(30);
        assertThat(third.array()[third.offset()]).isEqualTo((byte) 30);
        assertThat(in.reads).isEqualTo(1);
    }

    @Test
    void aFrameLargerThanTheBufferGrowsItAndArrivesWholeAcrossPartialReads() throws IOException {
        CountingStream in = new CountingStream(frames(5, 20_000, 7), 1500);
        FrameReader reader = new FrameReader(in, 65535, 64, "test");

        assertThat(reader.next().length()).isEqualTo(5);
        Frame big = reader.next();
        assertThat(big.length()).isEqualTo(20_000);
        assertThat(Arrays.copyOfRange(big.array(), big.offset(), big.offset() + big.length())).containsOnly((byte) (20_000 & 0xff));
        Frame last = reader.next();
        assertThat(last.length()).isEqualTo(7);
        assertThat(last.array()[last.offset() + 6]).isEqualTo((byte) 7);
    }

    @Test
    void anAnnouncedLengthOverTheLimitIsRefusedBeforeTheBufferGrows() {
        FrameReader reader = new FrameReader(new CountingStream(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2}, 100), 1000, 16, "test");

        assertThatThrownBy(reader::next).isInstanceOf(FrameTooLargeException.class);
    }

    @Test
    void theEndOfTheStreamBetweenFramesIsACleanCloseAndInsideOneATruncatedFrame() throws IOException {
        FrameReader clean = new FrameReader(new CountingStream(frames(3), 100), 1000, 16, "peer");
        clean.next();
        assertThatThrownBy(clean::next).isInstanceOf(EOFException.class).hasMessage("connection closed by peer");

        byte[] cut = Arrays.copyOf(frames(50), 20);
        FrameReader truncated = new FrameReader(new CountingStream(cut, 100), 1000, 16, "peer");
        assertThatThrownBy(truncated::next).isInstanceOf(EOFException.class).hasMessageContaining("inside a frame of 50 bytes");
    }
}
