package io.crust.udt.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RangeSetTest {
    @Test
    void addingMergesTouchingAndOverlappingRanges() {
        RangeSet set = new RangeSet(8);
        set.add(10, 20);
        set.add(30, 40);
        set.add(20, 30);
        assertThat(set).hasToString("[10..40]");
        set.add(5, 12);
        set.add(50, 60);
        assertThat(set).hasToString("[5..40, 50..60]");
        assertThat(set.add(55)).isFalse();
        assertThat(set.add(45)).isTrue();
        assertThat(set).hasToString("[5..40, 45..46, 50..60]");
    }

    @Test
    void removingSplitsAndTrims() {
        RangeSet set = new RangeSet(8);
        set.add(0, 100);
        set.remove(10, 20);
        set.remove(90, 200);
        assertThat(set).hasToString("[0..10, 20..90]");
        set.removeBelow(25);
        assertThat(set).hasToString("[25..90]");
    }

    @Test
    void fullSetForgetsItsLowestRange() {
        RangeSet set = new RangeSet(2);
        set.add(0, 1);
        set.add(2, 3);
        set.add(4, 5);
        assertThat(set).hasToString("[2..3, 4..5]");
        assertThat(set.forgottenBelow()).isEqualTo(1);
    }

    @Test
    void matchesABitSetUnderRandomOperations() {
        SplittableRandom r = new SplittableRandom(3);
        RangeSet set = new RangeSet(10_000);
        BitSet model = new BitSet();
        for (int i = 0; i < 20_000; i++) {
            int a = r.nextInt(2000);
            int b = a + r.nextInt(40);
            if (r.nextInt(3) == 0) {
                set.remove(a, b);
                model.clear(a, b);
            } else {
                set.add(a, b);
                model.set(a, b);
            }
        }
        for (int v = 0; v < 2100; v++) {
            assertThat(set.contains(v)).as("value %d", v).isEqualTo(model.get(v));
        }
    }

    @Test
    void receiveBufferReassemblesOutOfOrderDataAndHonoursItsLimit() {
        ReceiveBuffer buffer = new ReceiveBuffer(16, 8);
        assertThat(buffer.put(4, ByteBuffer.wrap("efgh".getBytes()), 0, 4)).isTrue();
        assertThat(buffer.readableBytes()).isZero();
        buffer.put(0, ByteBuffer.wrap("abcd".getBytes()), 0, 4);
        byte[] out = new byte[16];
        assertThat(buffer.read(out, 0, 16)).isEqualTo(8);
        assertThat(new String(out, 0, 8)).isEqualTo("abcdefgh");
        assertThat(buffer.limitOffset()).isEqualTo(24);
        buffer.put(6, ByteBuffer.wrap("ghij".getBytes()), 0, 4); // overlaps what was read
        assertThat(buffer.read(out, 0, 16)).isEqualTo(2);
        assertThat(new String(out, 0, 2)).isEqualTo("ij");
    }
}
