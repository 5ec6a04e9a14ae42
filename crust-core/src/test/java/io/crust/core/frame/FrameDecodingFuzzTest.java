package io.crust.core.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Seeded mutation fuzzing of the TCP frame decoder ({@link FrameReader}): any byte stream yields frames or a clean error. */
class FrameDecodingFuzzTest {
    private static final long SEED = 0x5eed_f4a3eL;

    @Test
    void mutatedStreamsDecodeIntoBoundedFramesOrFailCleanly() throws IOException {
        Random random = new Random(SEED);
        byte[] valid = {0, 3, 1, 2, 3, 0, 0, 0, 5, 9, 9, 9, 9, 9, 1, 0};
        int frames = 0;
        int errors = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] stream = Mutator.mutate(valid, random);
            int max = 1 + random.nextInt(300);
            FrameReader in = new FrameReader(new ByteArrayInputStream(stream), max, 1 + random.nextInt(8), "fuzz");
            try {
                while (true) {
                    Frame frame = in.next();
                    assertThat(frame.length()).isLessThanOrEqualTo(max);
                    assertThat(frame.offset() + frame.length()).isLessThanOrEqualTo(frame.array().length);
                    frames++;
                }
            } catch (FrameTooLargeException | EOFException expected) {
                errors++;
            }
        }
        assertThat(frames).isPositive();
        assertThat(errors).isEqualTo(20_000);
    }
}
