package io.crust.demo;

import java.io.Writer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * What a command running in this JVM prints, as lines a test can wait for: give it to picocli as the
 * command's output or error stream ({@code new PrintWriter(lines, true)}), and call {@link #end} once
 * the command has returned, so that a wait for a line that will never come fails at once.
 */
public final class OutputLines extends Writer {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean ended;
    private int consumed;

    /**
     * Waits for the next line (after those already awaited) that matches, at most {@code wait}; fails
     * with {@code what} and everything printed when none came in time or the command ended without it.
     */
    public String awaitLine(String what, Predicate<String> matcher, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (true) {
                while (consumed < lines.size()) {
                    String line = lines.get(consumed++);
                    if (matcher.test(line)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended) {
                    throw new AssertionError("no " + what + " within " + wait + "; output was:\n" + String.join("\n", lines));
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Every whole line printed so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The command has returned: nothing more will be printed. */
    public void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(char[] buffer, int offset, int length) {
        lock.lock();
        try {
            for (int i = offset; i < offset + length; i++) {
                if (buffer[i] == '\n') {
                    lines.add(partial.toString());
                    partial.setLength(0);
                    changed.signalAll();
                } else {
                    partial.append(buffer[i]);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
