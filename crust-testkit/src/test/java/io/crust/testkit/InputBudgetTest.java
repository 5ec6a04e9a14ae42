package io.crust.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InputBudgetTest {
    /** Keeps allocations reachable so that the JIT cannot drop them. */
    private static volatile byte[] sink;

    @Test
    void aParseThatReservesWhatALengthFieldSaysFailsTheBudgetOnEveryRun() {
        assertThatThrownBy(() -> InputBudget.check("length field", 10, () -> sink = new byte[1 << 20]))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("length field allocated");
    }

    @Test
    void aOneOffAllocationInOneMeasuredRunDoesNotFailTheBudget() {
        AtomicInteger runs = new AtomicInteger();
        assertThatCode(() -> InputBudget.check("one-off", 10, () -> {
            // the second run (the first measured one) pays for something the process does once
            sink = runs.incrementAndGet() == 2 ? new byte[1 << 20] : new byte[16];
        })).doesNotThrowAnyException();
    }
}
