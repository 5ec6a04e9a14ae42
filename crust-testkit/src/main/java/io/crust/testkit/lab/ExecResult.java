package io.crust.testkit.lab;

import java.util.List;

/** What a finished command returned: its exit code and everything it wrote. */
public record ExecResult(List<String> command, int exitCode, String stdout, String stderr) {

    public ExecResult {
        command = List.copyOf(command);
    }

    /** Whether the command exited with code 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /** This result if the command succeeded, else a {@link LabException} carrying its stderr. */
    public ExecResult orThrow() throws LabException {
        if (!ok()) {
            throw new LabException("command failed with exit code " + exitCode + ": " + String.join(" ", command)
                    + (stderr.isBlank() ? "" : "\nstderr: " + stderr.strip())
                    + (stdout.isBlank() ? "" : "\nstdout: " + stdout.strip()));
        }
        return this;
    }
}
