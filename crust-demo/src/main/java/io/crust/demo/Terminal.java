package io.crust.demo;

import java.io.Console;
import java.lang.reflect.Method;

/**
 * Whether the demo talks to a person at a terminal. Lines redrawn in place ({@code \r} progress
 * bars) are for terminals only: in a file or a pipe they pile up as one long line.
 */
public final class Terminal {
    private Terminal() {
    }

    /**
     * True when standard input and output are a terminal. On Java 21 {@link System#console()} is null
     * otherwise; from Java 22 it may be present anyway and {@code Console.isTerminal()} tells (looked up
     * by name, since the library targets Java 21).
     */
    public static boolean isInteractive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // Java 21: a console exists only on a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
