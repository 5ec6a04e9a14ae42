package io.crust.core.frame;

import java.util.Arrays;
import java.util.Random;

/** Seeded byte-level mutations for fuzz loops: bit flips, byte sets, truncation, growth, splices. */
public final class Mutator {
    private Mutator() {
    }

    /** One to four random mutations of a copy of {@code input}. */
    public static byte[] mutate(byte[] input, Random random) {
        byte[] out = input.clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds; r++) {
            out = mutateOnce(out, random);
        }
        return out;
    }

    private static byte[] mutateOnce(byte[] in, Random random) {
        int op = random.nextInt(7);
        if (in.length == 0 && op < 5) {
            op = 5;
        }
        switch (op) {
            case 0 -> {
                byte[] out = in.clone();
                int bit = random.nextInt(in.length * 8);
                out[bit / 8] ^= (byte) (1 << (bit % 8));
                return out;
            }
            case 1 -> {
                byte[] out = in.clone();
                out[random.nextInt(in.length)] = (byte) random.nextInt(256);
                return out;
            }
            case 2 -> {
                byte[] out = in.clone();
                byte[] interesting = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff};
                out[random.nextInt(in.length)] = interesting[random.nextInt(interesting.length)];
                return out;
            }
            case 3 -> {
                return Arrays.copyOf(in, random.nextInt(in.length));
            }
            case 4 -> {
                int from = random.nextInt(in.length);
                byte[] out = new byte[in.length - 1];
                System.arraycopy(in, 0, out, 0, from);
                System.arraycopy(in, from + 1, out, from, in.length - from - 1);
                return out;
            }
            case 5 -> {
                byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                byte[] out = Arrays.copyOf(in, in.length + extra.length);
                System.arraycopy(extra, 0, out, in.length, extra.length);
                return out;
            }
            default -> {
                if (in.length == 0) {
                    return in;
                }
                int from = random.nextInt(in.length);
                int length = 1 + random.nextInt(in.length - from);
                byte[] out = Arrays.copyOf(in, in.length + length);
                System.arraycopy(in, from, out, in.length, length);
                return out;
            }
        }
    }
}
