package io.crust.udt.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {
    @Test
    void findsEveryIdPutAndNothingElseThroughGrowthAndRemoval() {
        ConnectionTable<String> table = new ConnectionTable<>();
        Map<Long, String> expected = new HashMap<>();
        Random random = new Random(5);
        for (int i = 0; i < 2_000; i++) {
            long id = random.nextLong();
            String connection = "c" + i; // one object: remove compares identity, as for drivers
            table.put(id, connection);
            expected.put(id, connection);
            if (i % 3 == 0) {
                long gone = expected.keySet().iterator().next();
                table.remove(gone, expected.remove(gone));
            }
        }
        assertThat(table.size()).isEqualTo(expected.size());
        expected.forEach((id, value) -> assertThat(table.get(id)).isEqualTo(value));
        assertThat(table.get(12345)).isNull();
        assertThat(table.values()).containsExactlyInAnyOrderElementsOf(expected.values());
    }

    @Test
    void removeLeavesAnIdThatNowMapsToAnotherConnection() {
        ConnectionTable<String> table = new ConnectionTable<>();
        table.put(7, "old");
        table.put(7, "new");
        table.remove(7, "old");
        assertThat(table.get(7)).isEqualTo("new");
        assertThat(table.size()).isEqualTo(1);
        table.remove(7, "new");
        assertThat(table.get(7)).isNull();
        assertThat(table.size()).isZero();
    }

    @Test
    void idsThatCollideInTheirSlotAreAllFound() {
        ConnectionTable<Long> table = new ConnectionTable<>();
        for (long id = 0; id < 64; id++) {
            table.put(id << 40, id); // low bits equal: only the hash keeps them apart
        }
        for (long id = 0; id < 64; id++) {
            assertThat(table.get(id << 40)).isEqualTo(id);
        }
    }
}
