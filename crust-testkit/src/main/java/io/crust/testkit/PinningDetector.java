package io.crust.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
 *
 * <p>One kind of event is not held against the test: a virtual thread pinned while a <em>JDK</em>
 * class ({@code java.*}, {@code javax.*}, {@code jdk.*}, {@code sun.*}, {@code com.sun.*}) is being
 * initialized, for example two virtual threads racing to initialize {@code sun.nio.ch.Poller} on
 * their first socket operation. That happens once per JVM, inside the JDK, and no code of ours
 * can avoid it. Initializers of any other class still count.
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
            stream.onEvent(EVENT_NAME, event -> {
                if (!isJdkClassInitialization(event.hasField("pinnedReason") ? event.getString("pinnedReason") : null)) {
                    pinnings.add(describe(event));
                }
            });
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

    private static final Pattern CLASS_INITIALIZATION = Pattern.compile(
            "VM call to (\\S+)\\.<clinit> on stack|Waited for initialization of (\\S+) by another thread");

    /** Whether a JDK 24+ {@code pinnedReason} says a JDK class was being initialized. */
    static boolean isJdkClassInitialization(String pinnedReason) {
        if (pinnedReason == null) {
            return false;
        }
        Matcher m = CLASS_INITIALIZATION.matcher(pinnedReason);
        if (!m.matches()) {
            return false;
        }
        String className = m.group(1) != null ? m.group(1) : m.group(2);
        return Stream.of("java.", "javax.", "jdk.", "sun.", "com.sun.").anyMatch(className::startsWith);
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
