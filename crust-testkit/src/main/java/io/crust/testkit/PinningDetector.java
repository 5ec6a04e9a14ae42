package io.crust.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingStream;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit 5 extension behind {@link NoPinning}; also usable by hand through {@link #record()}.
 *
 * <p>Before each test it starts a JFR {@link RecordingStream} with {@code jdk.VirtualThreadPinned}
 * enabled at threshold 0 and with stack traces; after the test it stops the stream (which waits
 * until every recorded event has been consumed) and fails the test when any event was seen.
 * Pinning by threads other than the test's own (for example a protocol's virtual threads) counts
 * too: that is the point. Tests in one JVM must not run in parallel with it, or they see each
 * other's events.
 */
public final class PinningDetector implements BeforeEachCallback, AfterEachCallback {

    static final String EVENT_NAME = "jdk.VirtualThreadPinned";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PinningDetector.class);

    /** An open JFR recording of pinning events; {@link #stop()} returns what it saw. */
    public static final class Recording implements AutoCloseable {
        private final RecordingStream stream = new RecordingStream();
        private final List<String> pinnings = new CopyOnWriteArrayList<>();

        private Recording() {
            stream.enable(EVENT_NAME).withThreshold(Duration.ZERO).withStackTrace();
            stream.onEvent(EVENT_NAME, event -> pinnings.add(describe(event)));
            stream.startAsync();
        }

        /** Stops recording and returns one description (thread, reason, stack) per pinning seen. */
        public List<String> stop() {
            stream.stop();
            stream.close();
            return List.copyOf(pinnings);
        }

        @Override
        public void close() {
            stream.close();
        }
    }

    /** Starts recording pinning events now. */
    public static Recording record() {
        return new Recording();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(context.getUniqueId(), record());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Recording recording = context.getStore(NAMESPACE).remove(context.getUniqueId(), Recording.class);
        if (recording == null) {
            return;
        }
        List<String> pinnings = recording.stop();
        if (!pinnings.isEmpty()) {
            throw new AssertionError("a virtual thread was pinned to its carrier " + pinnings.size()
                    + " time(s) during " + context.getDisplayName() + ":\n" + String.join("\n", pinnings));
        }
    }

    static String describe(RecordedEvent event) {
        StringBuilder text = new StringBuilder(EVENT_NAME);
        text.append(" for ").append(event.getDuration().toNanos() / 1_000).append(" us");
        if (event.getThread() != null) {
            text.append(" on thread '").append(event.getThread().getJavaName()).append("'");
        }
        for (String field : List.of("blockingOperation", "pinnedReason")) {
            if (event.hasField(field)) {
                text.append(", ").append(field).append(": ").append(event.getValue(field).toString());
            }
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack != null) {
            for (RecordedFrame frame : stack.getFrames()) {
                text.append("\n    at ").append(frame.getMethod().getType().getName())
                        .append('.').append(frame.getMethod().getName())
                        .append(" line ").append(frame.getLineNumber());
            }
            if (stack.isTruncated()) {
                text.append("\n    ...");
            }
        }
        return text.toString();
    }
}
