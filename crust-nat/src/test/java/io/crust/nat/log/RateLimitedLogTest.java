package io.crust.nat.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class RateLimitedLogTest {
    private final AtomicLong nowNanos = new AtomicLong(1_000);
    private final RecordingLogger logger = new RecordingLogger();
    private final RateLimitedLog log = new RateLimitedLog(logger, Duration.ofSeconds(10), nowNanos::get);

    @Test
    void aFloodWithinOneIntervalWritesOneLineAboveDebug() {
        for (int i = 0; i < 100_000; i++) {
            log.info("refused {}", i);
        }
        assertThat(logger.lines(Level.INFO)).containsExactly("refused 0");
        assertThat(logger.lines(Level.DEBUG)).hasSize(99_999).startsWith("refused 1");
        assertThat(log.heldBack()).isEqualTo(99_999);
    }

    @Test
    void theNextLineAfterTheIntervalSaysHowManyWereHeldBack() {
        log.warn("bad reply from {}", "a");
        log.warn("bad reply from {}", "b");
        log.warn("bad reply from {}", "c");
        nowNanos.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(log.warn("bad reply from {}", "d")).isTrue();
        assertThat(logger.lines(Level.WARN)).containsExactly("bad reply from a", "bad reply from d",
                "... and 2 more like it since the previous such line (logged at DEBUG only)");
        assertThat(log.heldBack()).isZero();
    }

    @Test
    void aLineJustBeforeTheIntervalEndsIsHeldBack() {
        log.info("first");
        nowNanos.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        assertThat(log.info("second")).isFalse();
        nowNanos.incrementAndGet();
        assertThat(log.info("third")).isTrue();
    }

    @Test
    void aThrowableLastArgumentStaysTheThrowable() {
        IllegalStateException failure = new IllegalStateException("boom");
        log.warn("listener failed for {}", "peer", failure);
        assertThat(logger.throwables).containsExactly(failure);
    }

    /** Keeps every line with its level. */
    private static final class RecordingLogger extends LegacyAbstractLogger {
        private final List<String> records = new ArrayList<>();
        private final List<Throwable> throwables = new ArrayList<>();

        List<String> lines(Level level) {
            String prefix = level + " ";
            return records.stream().filter(r -> r.startsWith(prefix)).map(r -> r.substring(prefix.length())).toList();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String format, Object[] arguments,
                Throwable throwable) {
            records.add(level + " " + MessageFormatter.basicArrayFormat(format, arguments));
            if (throwable != null) {
                throwables.add(throwable);
            }
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }
}
