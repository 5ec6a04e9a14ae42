package io.crust.core.proof;

/**
 * Prints measured figures on standard output with a {@code [proof]} prefix, so that a test run's
 * output file (surefire keeps it under {@code surefire-reports/*-output.txt}) holds the numbers
 * quoted in docs/reliability.md. Tests assert outcomes; these lines are for the record only.
 */
final class Figures {
    private Figures() {
    }

    static void print(String test, String format, Object... args) {
        System.out.println("[proof] " + test + ": " + String.format(format, args));
    }
}
