package io.crust.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a test if a virtual thread was pinned to its carrier while the test ran: put it on a test
 * class or method. Any JFR {@code jdk.VirtualThreadPinned} event (threshold 0) recorded between
 * {@code @BeforeEach} and {@code @AfterEach} fails the test with the pinned thread's stack.
 *
 * <p>On JDK 21 to 23 blocking inside {@code synchronized} pins; from JDK 24 on it no longer does,
 * but blocking while a native frame or a class initializer is on the stack still pins.
 * Pinning while a JDK class initializes (a one-time JDK start-up race) is ignored; see
 * {@link PinningDetector}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(PinningDetector.class)
public @interface NoPinning {
}
