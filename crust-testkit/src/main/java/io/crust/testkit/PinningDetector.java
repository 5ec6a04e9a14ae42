package io.crust.testkit;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * until every recorded event has been consumed) and fails the test when a pin was held against it.
 * Pinning by threads other than the test's own (for example a protocol's virtual threads) counts
 * too: that is the point. Tests in one JVM must not run in parallel with it, or they see each
 * other's events.
 *
 * <p>Which pins count ({@link #blame}): a pin is held against the test when code outside the JDK
 * caused it, that is when
 * <ul>
 *   <li>it lasted {@link #THRESHOLD} (1 ms) or longer: a virtual thread that really blocks while
 *       pinned (I/O, a lock held by another thread, a sleep) stays pinned far longer than that;</li>
 *   <li>the initializer of a class outside the JDK was running (the VM calls {@code <clinit>}
 *       through a native frame, so blocking there pins on every JDK);</li>
 *   <li>a frame outside the JDK is a native method, or a {@code synchronized} method (a monitor
 *       held by our code; JFR cannot show monitors held by {@code synchronized} blocks, so those are
 *       caught by the duration alone).</li>
 * </ul>
 * Two kinds are tolerated and printed: a pin while a <em>JDK</em> class ({@code java.*},
 * {@code javax.*}, {@code jdk.*}, {@code sun.*}, {@code com.sun.*}) is being initialized, for
 * example two virtual threads racing to initialize {@code sun.nio.ch.Poller} on their first socket
 * operation (once per JVM, whatever its length); and a pin shorter than 1 ms whose monitor or
 * native frame lies in the JDK, for example a {@code Contended monitor enter} of about a
 * microsecond inside {@code DatagramChannelImpl.receive} when the channel is closed under a blocked
 * receive. Neither is something code of ours can avoid.
 */
public final class PinningDetector implements BeforeEachCallback, AfterEachCallback {

    static final String EVENT_NAME = "jdk.VirtualThreadPinned";

    /** A pin this long or longer fails the test wherever it happened. */
    public static final Duration THRESHOLD = Duration.ofMillis(1);

    private static final List<String> JDK_PACKAGES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

    /** One stack frame of a pinning event: what {@link #blame} needs to know of it. */
    record Frame(String className, String methodName, String type, boolean synchronizedMethod) {
        boolean outsideJdk() {
            return !isJdkClass(className);
        }

        @Override
        public String toString() {
            return className + "." + methodName + (type == null ? "" : " (" + type + ")")
                    + (synchronizedMethod ? " synchronized" : "");
        }
    }

    /** One {@code jdk.VirtualThreadPinned} event, as {@link #blame} sees it. */
    record Pin(Duration duration, String blockingOperation, String pinnedReason, List<Frame> frames) {
        static Pin of(RecordedEvent event) {
            List<Frame> frames = new ArrayList<>();
            RecordedStackTrace stack = event.getStackTrace();
            if (stack != null) {
                for (RecordedFrame frame : stack.getFrames()) {
                    frames.add(new Frame(frame.getMethod().getType().getName(), frame.getMethod().getName(),
                            frame.getType(), Modifier.isSynchronized(frame.getMethod().getModifiers())));
                }
            }
            return new Pin(event.getDuration(),
                    event.hasField("blockingOperation") ? event.getString("blockingOperation") : null,
                    event.hasField("pinnedReason") ? event.getString("pinnedReason") : null,
                    List.copyOf(frames));
        }
    }

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PinningDetector.class);

    /** An open JFR recording of pinning events; {@link #stop()} returns what it saw. */
    public static final class Recording implements AutoCloseable {
        private final RecordingStream stream = new RecordingStream();
        private final List<String> pinnings = new CopyOnWriteArrayList<>();

        private Recording(Duration threshold) {
            stream.enable(EVENT_NAME).withThreshold(Duration.ZERO).withStackTrace();
            stream.onEvent(EVENT_NAME, event -> {
                String blame = blame(Pin.of(event), threshold);
                if (blame != null) {
                    pinnings.add(describe(event) + "\n    held against the test: " + blame);
                } else {
                    System.out.println("PinningDetector: tolerated a JDK-internal pin: " + describe(event));
                }
            });
            stream.startAsync();
        }

        /** Stops recording and returns one description (thread, reason, stack, why it counts) per pin held against the test. */
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
        return new Recording(THRESHOLD);
    }

    /** Starts recording with another duration threshold (tests of the other rules use a very long one). */
    static Recording record(Duration threshold) {
        return new Recording(threshold);
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

    /**
     * Why a pin is held against the test, or null when it is tolerated (see the class comment):
     * a JDK class initializing, or a pin shorter than {@code threshold} with no native frame,
     * {@code synchronized} method or class initializer of code outside the JDK on its stack.
     */
    static String blame(Pin pin, Duration threshold) {
        String initializing = initializingClass(pin.pinnedReason());
        if (initializing != null) {
            return isJdkClass(initializing) ? null : "the initializer of " + initializing + " (outside the JDK) was running";
        }
        for (Frame frame : pin.frames()) {
            if (frame.outsideJdk() && "Native".equals(frame.type())) {
                return "native code outside the JDK: " + frame;
            }
            if (frame.outsideJdk() && frame.synchronizedMethod()) {
                return "a monitor held by code outside the JDK: " + frame;
            }
        }
        if (pin.duration().compareTo(threshold) >= 0) {
            return "pinned for " + pin.duration().toNanos() / 1_000 + " us, the threshold is "
                    + threshold.toNanos() / 1_000 + " us";
        }
        return null;
    }

    private static boolean isJdkClass(String className) {
        return JDK_PACKAGES.stream().anyMatch(className::startsWith);
    }

    private static final Pattern CLASS_INITIALIZATION = Pattern.compile(
            "VM call to (\\S+)\\.<clinit> on stack|Waited for initialization of (\\S+) by another thread");

    /** Whether a JDK 24+ {@code pinnedReason} says a JDK class was being initialized. */
    static boolean isJdkClassInitialization(String pinnedReason) {
        String className = initializingClass(pinnedReason);
        return className != null && isJdkClass(className);
    }

    /** The class a JDK 24+ {@code pinnedReason} says was being initialized, or null. */
    private static String initializingClass(String pinnedReason) {
        if (pinnedReason == null) {
            return null;
        }
        Matcher m = CLASS_INITIALIZATION.matcher(pinnedReason);
        if (!m.matches()) {
            return null;
        }
        return m.group(1) != null ? m.group(1) : m.group(2);
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
