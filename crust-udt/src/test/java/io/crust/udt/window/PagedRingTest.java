package io.crust.udt.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PagedRingTest {
    private static final int PAGE = PagedRing.PAGE_BYTES;

    @Test
    void aNewRingHoldsNoPagesAndAllocatesOnlyThoseItsBytesReach() {
        PagedRing ring = new PagedRing(4 * 1024 * 1024);
        assertThat(ring.allocatedBytes()).isZero();
        ring.write(10, new byte[100], 0, 100);
        assertThat(ring.allocatedBytes()).isEqualTo(PAGE);
        ring.write(PAGE - 10, new byte[20], 0, 20); // straddles pages 0 and 1
        assertThat(ring.allocatedBytes()).isEqualTo(2L * PAGE);
    }

    @Test
    void bytesWrittenAcrossPageBoundariesAndTheWrapReadBackUnchanged() {
        int capacity = 3 * PAGE + 1000; // a short last page
        PagedRing ring = new PagedRing(capacity);
        Random random = new Random(11);
        long offset = 0;
        for (int round = 0; round < 40; round++) {
            byte[] data = new byte[1 + random.nextInt(capacity - 1)];
            random.nextBytes(data);
            ring.write(offset, data, 0, data.length);
            byte[] back = new byte[data.length];
            ring.read(offset, back, 0, back.length);
            assertThat(back).isEqualTo(data);
            ByteBuffer viaBuffer = ByteBuffer.allocate(data.length);
            ring.read(offset, viaBuffer, data.length);
            assertThat(viaBuffer.array()).isEqualTo(data);
            offset += data.length;
        }
        assertThat(ring.allocatedBytes()).isEqualTo(capacity);
    }

    @Test
    void writingFromAByteBufferUsesItsAbsolutePositionAndLeavesItsStateAlone() {
        PagedRing ring = new PagedRing(2 * PAGE);
        ByteBuffer src = ByteBuffer.wrap(new byte[] {9, 9, 1, 2, 3, 9});
        ring.write(PAGE - 1, src, 2, 3);
        byte[] back = new byte[3];
        ring.read(PAGE - 1, back, 0, 3);
        assertThat(back).containsExactly(1, 2, 3);
        assertThat(src.position()).isZero();
    }

    @Test
    void releaseHandsEveryPageBack() {
        PagedRing ring = new PagedRing(8 * PAGE);
        ring.write(0, new byte[8 * PAGE], 0, 8 * PAGE);
        ring.release();
        assertThat(ring.allocatedBytes()).isZero();
    }

    @Test
    void aSmallRingUsesOnePageOfItsOwnSize() {
        PagedRing ring = new PagedRing(1000);
        ring.write(990, new byte[20], 0, 20); // wraps
        assertThat(ring.allocatedBytes()).isEqualTo(1000);
    }

    @Test
    void aRingWithoutCapacityIsRefused() {
        assertThatThrownBy(() -> new PagedRing(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
