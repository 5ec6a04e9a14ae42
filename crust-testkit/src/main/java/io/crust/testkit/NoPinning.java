package io.crust.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a test if code outside the JDK pinned a virtual thread to its carrier while the test ran:
 * put it on a test class or method. JFR {@code jdk.VirtualThreadPinned} events (threshold 0)
 * recorded between {@code @BeforeEach} and {@code @AfterEach} fail the test, with the pinned
 * thread's stack and the reason, when the pin lasted 1 ms or longer, or a class initializer,
 * native method or {@code synchronized} method outside the JDK was on the stack.
 *
 * <p>On JDK 21 to 23 blocking inside {@code synchronized} pins; from JDK 24 on it no longer does,
 * but blocking while a native frame or a class initializer is on the stack still pins.
 * Pins the JDK causes itself (a JDK class initializing, or a pin under 1 ms whose monitor or native
 * frame is the JDK's) are printed and not held against the test; see {@link PinningDetector}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(PinningDetector.class)
public @interface NoPinning {
}
