package io.crust.testkit.lab;

import java.io.IOException;

/** A lab could not be built, a command in it failed or timed out, or a process did not say what was awaited. */
public class LabException extends IOException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
