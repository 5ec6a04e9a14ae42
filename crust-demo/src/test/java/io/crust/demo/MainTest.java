package io.crust.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void helpListsTheCommandAndExitsWithZero() {
        StringWriter out = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("--help");
        assertThat(code).isZero();
        assertThat(out.toString()).contains("crust-demo").contains("--version");
    }

    @Test
    void unknownOptionIsRejectedWithUsageError() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option");
    }
}
