package io.crust.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Pins a virtual thread on purpose. On JDK 24+ blocking in {@code synchronized} or
 * {@code Object.wait} no longer pins (JEP 491), but blocking while a class initializer runs still
 * does, because the VM calls {@code <clinit>} through a native frame. On JDK 21 to 23 the same
 * trick pins as well, so the test holds on every JDK this project supports.
 */
class PinningDetectorTest {

    /** Set only while {@link #extensionFailsATestThatPins()} runs the samples through the engine. */
    static volatile boolean samplesEnabled;

    @Test
    void recordingSeesAVirtualThreadPinnedByAClassInitializer() throws Exception {
        List<String> pinnings;
        try (PinningDetector.Recording recording = PinningDetector.record()) {
            Thread.ofVirtual().name("crust-test-pinner").start(SleepsInClassInitializer::touch).join();
            pinnings = recording.stop();
        }
        assertThat(pinnings).singleElement().asString()
                .contains("jdk.VirtualThreadPinned", "crust-test-pinner", "Thread.sleep");
    }

    @Test
    void aShortPinInAClassInitializerOfOursIsCaughtWhateverItsLength() throws Exception {
        List<String> pinnings;
        try (PinningDetector.Recording recording = PinningDetector.record(Duration.ofDays(1))) {
            Thread.ofVirtual().name("crust-test-short-pinner").start(ParksBrieflyInClassInitializer::touch).join();
            pinnings = recording.stop();
        }
        assertThat(pinnings).singleElement().asString()
                .contains("crust-test-short-pinner", "ParksBrieflyInClassInitializer", "held against the test",
                        "(outside the JDK) was running");
    }

    /**
     * Blocking inside {@code synchronized} in a class of ours: on JDK 21 to 23 it pins the carrier
     * for the whole sleep, far past the threshold, and is caught; from JDK 24 on (JEP 491) the
     * virtual thread unmounts and there is nothing to catch.
     */
    @Test
    void blockingInsideSynchronizedIsCaughtWhereverTheJdkPinsForIt() throws Exception {
        Object monitor = new Object();
        List<String> pinnings;
        try (PinningDetector.Recording recording = PinningDetector.record()) {
            Thread.ofVirtual().name("crust-test-synchronized").start(() -> {
                synchronized (monitor) {
                    sleepQuietly();
                }
            }).join();
            pinnings = recording.stop();
        }
        if (Runtime.version().feature() < 24) {
            assertThat(pinnings).singleElement().asString().contains("crust-test-synchronized", "held against the test");
        } else {
            assertThat(pinnings).isEmpty();
        }
    }

    @Test
    void recordingSeesNothingWhenVirtualThreadsBlockOnReentrantLock() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        List<String> pinnings;
        try (PinningDetector.Recording recording = PinningDetector.record()) {
            lock.lock();
            Thread waiter = Thread.ofVirtual().start(() -> {
                lock.lock();
                lock.unlock();
            });
            while (!lock.hasQueuedThread(waiter)) { // until the waiter is parked on the lock
                Thread.yield();
            }
            lock.unlock();
            waiter.join();
            pinnings = recording.stop();
        }
        assertThat(pinnings).isEmpty();
    }

    @Test
    void pinningWhileAJdkClassInitializesIsNotHeldAgainstTheTest() {
        assertThat(PinningDetector.isJdkClassInitialization("VM call to sun.nio.ch.Poller.<clinit> on stack")).isTrue();
        assertThat(PinningDetector.isJdkClassInitialization(
                "Waited for initialization of sun.nio.ch.Poller by another thread")).isTrue();
        assertThat(PinningDetector.isJdkClassInitialization(
                "VM call to io.crust.testkit.PinningDetectorTest$SleepsInClassInitializer.<clinit> on stack")).isFalse();
        assertThat(PinningDetector.isJdkClassInitialization(
                "Waited for initialization of io.crust.Foo by another thread")).isFalse();
        assertThat(PinningDetector.isJdkClassInitialization("Native or VM frame on stack")).isFalse();
        assertThat(PinningDetector.isJdkClassInitialization(null)).isFalse();
    }

    /** The stack of the pin that once failed LoopbackTest: the JDK's own monitor, taken on close. */
    private static List<PinningDetector.Frame> datagramReceiveClosedUnderneath(boolean synchronizedCaller, String callerType) {
        return List.of(
                new PinningDetector.Frame("sun.nio.ch.DatagramChannelImpl", "endRead", "JIT compiled", false),
                new PinningDetector.Frame("sun.nio.ch.DatagramChannelImpl", "receive", "JIT compiled", false),
                new PinningDetector.Frame("io.crust.udt.transport.Demultiplexer", "receiveLoop", callerType, synchronizedCaller),
                new PinningDetector.Frame("java.lang.VirtualThread", "run", "Interpreted", false));
    }

    private static PinningDetector.Pin pin(Duration duration, String reason, List<PinningDetector.Frame> frames) {
        return new PinningDetector.Pin(duration, "Contended monitor enter", reason, frames);
    }

    @Test
    void aMicrosecondPinOnAJdkMonitorInsideDatagramReceiveIsTolerated() {
        PinningDetector.Pin jdkInternal = pin(Duration.ofNanos(1_200), "Native or VM frame on stack",
                datagramReceiveClosedUnderneath(false, "JIT compiled"));
        assertThat(PinningDetector.blame(jdkInternal, PinningDetector.THRESHOLD)).isNull();
        assertThat(PinningDetector.blame(pin(Duration.ofNanos(1_200), null, datagramReceiveClosedUnderneath(false, "Interpreted")),
                PinningDetector.THRESHOLD)).isNull();
    }

    @Test
    void theSamePinLastingAMillisecondOrMoreIsHeldAgainstTheTest() {
        PinningDetector.Pin longPin = pin(Duration.ofMillis(1), "Native or VM frame on stack",
                datagramReceiveClosedUnderneath(false, "JIT compiled"));
        assertThat(PinningDetector.blame(longPin, PinningDetector.THRESHOLD)).contains("pinned for 1000 us");
    }

    @Test
    void aShortPinUnderASynchronizedMethodOrANativeMethodOfOursIsHeldAgainstTheTest() {
        assertThat(PinningDetector.blame(pin(Duration.ofNanos(1_200), "Monitor held",
                datagramReceiveClosedUnderneath(true, "JIT compiled")), PinningDetector.THRESHOLD))
                .contains("a monitor held by code outside the JDK", "Demultiplexer.receiveLoop");
        assertThat(PinningDetector.blame(pin(Duration.ofNanos(1_200), "Native or VM frame on stack",
                datagramReceiveClosedUnderneath(false, "Native")), PinningDetector.THRESHOLD))
                .contains("native code outside the JDK", "Demultiplexer.receiveLoop");
    }

    @Test
    void aJdkClassInitializerIsToleratedAtAnyLengthButOneOfOursIsNot() {
        List<PinningDetector.Frame> frames = datagramReceiveClosedUnderneath(false, "JIT compiled");
        assertThat(PinningDetector.blame(pin(Duration.ofMillis(30), "VM call to sun.nio.ch.Poller.<clinit> on stack", frames),
                PinningDetector.THRESHOLD)).isNull();
        assertThat(PinningDetector.blame(pin(Duration.ofNanos(500), "Waited for initialization of io.crust.Foo by another thread",
                frames), PinningDetector.THRESHOLD)).contains("io.crust.Foo");
    }

    @Test
    void extensionFailsATestThatPinsAndPassesOneThatDoesNot() {
        samplesEnabled = true;
        try {
            EngineTestKit.engine("junit-jupiter")
                    .selectors(selectClass(Samples.class))
                    .execute()
                    .testEvents()
                    .assertThatEvents()
                    .haveExactly(1, event(test("pinsACarrier"),
                            finishedWithFailure(instanceOf(AssertionError.class), message(m -> m.contains("pinned to its carrier")
                                    && m.contains("SleepsInClassInitializer")))))
                    .haveExactly(1, event(test("blocksWithoutPinning"), finishedSuccessfully()));
        } finally {
            samplesEnabled = false;
        }
    }

    /** Sample tests run only through EngineTestKit above (surefire skips nested classes). */
    @NoPinning
    static class Samples {
        @Test
        void pinsACarrier() throws Exception {
            Assumptions.assumeTrue(samplesEnabled, "sample for PinningDetectorTest only");
            Thread.ofVirtual().start(SleepsInClassInitializer2::touch).join();
        }

        @Test
        void blocksWithoutPinning() throws Exception {
            Assumptions.assumeTrue(samplesEnabled, "sample for PinningDetectorTest only");
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).join();
        }
    }

    static final class SleepsInClassInitializer {
        static {
            sleepQuietly();
        }

        static void touch() {
        }
    }

    /** Parks for a tenth of a millisecond: a pin shorter than the threshold, in a class of ours. */
    static final class ParksBrieflyInClassInitializer {
        static {
            LockSupport.parkNanos(100_000);
        }

        static void touch() {
        }
    }

    /** A second class: a class initializer runs once per JVM, and both tests need one that has not run. */
    static final class SleepsInClassInitializer2 {
        static {
            sleepQuietly();
        }

        static void touch() {
        }
    }

    static void sleepQuietly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
