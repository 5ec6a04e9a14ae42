package io.crust.examples;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** What an example printed, with a wait for a piece of text to appear in it. */
final class Output extends OutputStream {
    static final Duration WAIT = Duration.ofSeconds(30);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    final PrintStream stream = new PrintStream(this, true, StandardCharsets.UTF_8);

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        lock.lock();
        try {
            bytes.write(b, off, len);
            written.signalAll();
        } finally {
            lock.unlock();
        }
    }

    String text() {
        lock.lock();
        try {
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the output contains {@code text}; returns the whole output then. */
    String await(String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        lock.lock();
        try {
            while (!bytes.toString(StandardCharsets.UTF_8).contains(text)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + text + "' within " + WAIT + "; the output was:\n" + text());
                }
                written.await(left, TimeUnit.NANOSECONDS);
            }
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code program} with standard output captured here; returns what it printed. */
    static String ofMain(ThrowingRunnable program) throws Exception {
        Output output = new Output();
        PrintStream original = System.out;
        System.setOut(output.stream);
        try {
            program.run();
        } finally {
            System.setOut(original);
        }
        return output.text();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
