package io.crust.core.proof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a process holds at one moment: heap in use after a full GC, platform threads, Crust's own
 * threads (virtual ones included, counted from a JDK thread dump), and open file descriptors.
 *
 * <p>Counting Crust's threads takes a JDK thread dump, which crashed the JVM (SIGSEGV in
 * {@code Continuation::is_continuation_entry_frame}, JDK 25.0.3) once while virtual threads were busy
 * mounting and unmounting; so it is done only when the process is quiet ({@link #now()} before and
 * after a run), and samples taken under load use {@link #withoutThreadDump()}.
 *
 * <p>The JDK management beans are reached by reflection: these tests compile inside the
 * {@code io.crust.core} module, which does not read {@code java.management} (at run time the tests are
 * on the class path and everything is readable).
 *
 * @param heapBytes heap in use after {@link System#gc()}, in bytes
 * @param platformThreads live platform threads
 * @param crustThreads threads whose name starts with {@code crust-}, virtual or not; -1 when not counted
 * @param fileDescriptors entries of {@code /proc/self/fd}, or -1 where there is no such directory
 */
record Resources(long heapBytes, int platformThreads, int crustThreads, int fileDescriptors) {

    static Resources now() {
        return new Resources(heapAfterGc(), countPlatformThreads(), countCrustThreads(), countFileDescriptors());
    }

    /** As {@link #now()} without the thread dump: safe while virtual threads are busy. */
    static Resources withoutThreadDump() {
        return new Resources(heapAfterGc(), countPlatformThreads(), -1, countFileDescriptors());
    }

    /** Heap in use after a few full collections (one is not always enough to reach a steady figure). */
    static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        }
        return used;
    }

    static int countPlatformThreads() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Method count = Class.forName("java.lang.management.ThreadMXBean").getMethod("getThreadCount");
            return (int) count.invoke(bean);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no ThreadMXBean", e);
        }
    }

    /**
     * Bytes allocated by all threads of the JVM so far ({@code com.sun.management.ThreadMXBean}); virtual
     * threads' allocations are counted on their carriers.
     */
    static long totalAllocatedBytes() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Method total = Class.forName("com.sun.management.ThreadMXBean").getMethod("getTotalThreadAllocatedBytes");
            return (long) total.invoke(bean);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no com.sun.management.ThreadMXBean", e);
        }
    }

    /** Threads named {@code crust-*}, from a JSON thread dump, which lists virtual threads too. */
    static int countCrustThreads() {
        try {
            Path dump = Files.createTempFile("crust-threads", ".json");
            Files.delete(dump);
            try {
                Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
                Class<?> formatType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
                Object bean = Class.forName("java.lang.management.ManagementFactory")
                        .getMethod("getPlatformMXBean", Class.class).invoke(null, beanType);
                Object json = formatType.getField("JSON").get(null);
                beanType.getMethod("dumpThreads", String.class, formatType).invoke(bean, dump.toString(), json);
                String text = Files.readString(dump);
                int count = 0;
                for (int at = text.indexOf("\"name\": \"crust-"); at >= 0; at = text.indexOf("\"name\": \"crust-", at + 1)) {
                    count++;
                }
                return count;
            } finally {
                Files.deleteIfExists(dump);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot dump threads", e);
        }
    }

    static int countFileDescriptors() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> list = Files.list(fds)) {
            return (int) list.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    @Override
    public String toString() {
        return String.format("heap %.1f MiB, platform threads %d, %sfds %d", mib(heapBytes), platformThreads,
                crustThreads < 0 ? "" : "crust threads " + crustThreads + ", ", fileDescriptors);
    }
}
