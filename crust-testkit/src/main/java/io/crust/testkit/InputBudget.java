package io.crust.testkit;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;

/**
 * Bounds the work one fuzz input causes: the parser must finish within a generous wall-clock limit
 * (a hang detector, not a speed test) and allocate no more than a small multiple of what it was
 * given, so that no length field can make it reserve memory the datagram does not carry.
 *
 * <p>The parse runs three times: the first run loads classes and fills caches, the other two are
 * measured and the smaller allocation counts. Parsers are pure, so every run does the same work and a
 * length field that reserves memory shows in both; what the JVM does once per process inside a run
 * (loading a class, linking a call site) shows in one. Measured once, such a one-off made
 * {@code ConnectionStateFuzzTest} report 4,851,952 bytes for a 217-byte input that allocates 365,368
 * bytes in every run after the first in a plain JVM (allowed 596,768); the fuzzer never saw it again
 * in 194,000 further runs.
 */
public final class InputBudget {
    /** Fixed allowance for exception objects with their stack traces and messages. */
    private static final long BASE_BYTES = 64 * 1024;
    private static final long BYTES_PER_INPUT_BYTE = 32;
    private static final Duration HANG = Duration.ofSeconds(10);

    /**
     * {@code com.sun.management.ThreadMXBean.getCurrentThreadAllocatedBytes()}, looked up at run time:
     * fuzz tests compile inside modules that do not read java.management.
     */
    private static final MethodHandle ALLOCATED_BYTES = allocatedBytesHandle();

    /** One parse of the input, catching the parser's documented exception itself. */
    @FunctionalInterface
    public interface Parse {
        void run() throws Exception;
    }

    private InputBudget() {
    }

    /** Runs {@code parse} three times; throws AssertionError when the second run took too long or both measured runs allocated too much. */
    public static void check(String what, int inputBytes, Parse parse) {
        check(what, inputBytes, 0, parse);
    }

    /** As {@link #check(String, int, Parse)}, allowing {@code fixedBytes} more (buffers sized by configuration). */
    public static void check(String what, int inputBytes, long fixedBytes, Parse parse) {
        try {
            parse.run();
            long startNanos = System.nanoTime();
            long allocated = allocatedBy(parse);
            long elapsedNanos = System.nanoTime() - startNanos;
            allocated = Math.min(allocated, allocatedBy(parse));
            long allowed = BASE_BYTES + fixedBytes + BYTES_PER_INPUT_BYTE * inputBytes;
            if (allocated > allowed) {
                throw new AssertionError(what + " allocated " + allocated + " bytes for a " + inputBytes
                        + "-byte input (allowed " + allowed + ")");
            }
            if (elapsedNanos > HANG.toNanos()) {
                throw new AssertionError(what + " took " + elapsedNanos / 1_000_000 + " ms for a " + inputBytes
                        + "-byte input");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(what + " threw an undocumented checked exception", e);
        }
    }

    private static long allocatedBy(Parse parse) throws Exception {
        long startBytes = currentThreadAllocatedBytes();
        parse.run();
        return currentThreadAllocatedBytes() - startBytes;
    }

    private static long currentThreadAllocatedBytes() {
        try {
            return (long) ALLOCATED_BYTES.invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("thread allocation counter unavailable", e);
        }
    }

    private static MethodHandle allocatedBytesHandle() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            return MethodHandles.publicLookup()
                    .findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                    .bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
