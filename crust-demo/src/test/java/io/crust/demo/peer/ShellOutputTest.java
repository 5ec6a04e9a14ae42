package io.crust.demo.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Events as a program and as a person read them, and the progress bar only where it can be redrawn. */
class ShellOutputTest {
    private static final String PEER = "7f3a9c1e5b2d4a6f8e0c1b3d5f7a9e2c4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a";

    @Test
    void anUpgradedEventCarriesBothRoutesInJson() {
        StringWriter text = new StringWriter();
        new ShellOutput(new PrintWriter(text), true, false).event("upgraded", "peer", PEER, "transport", "udt", "from", "relayed",
                "route", "punched");

        assertThat(text.toString().strip()).isEqualTo("{\"event\":\"upgraded\",\"peer\":\"" + PEER
                + "\",\"transport\":\"udt\",\"from\":\"relayed\",\"route\":\"punched\"}");
    }

    @Test
    void anUpgradedEventIsOneLineInTheShell() {
        StringWriter text = new StringWriter();
        new ShellOutput(new PrintWriter(text), false, true).event("upgraded", "peer", PEER, "transport", "udt", "from", "relayed",
                "route", "punched");

        assertThat(text.toString().strip()).matches("connection to \\S+ moved from relayed to punched \\(udt\\)");
    }

    @Test
    void aProgressBarIsRedrawnInPlaceOnATerminal() {
        StringWriter text = new StringWriter();
        new ShellOutput(new PrintWriter(text), false, true).progress("sending a.bin", 5, 10);

        assertThat(text.toString()).startsWith("\r").contains("50%");
    }

    @Test
    void withoutATerminalThereIsNoProgressBarOnlyTheEvents() {
        StringWriter text = new StringWriter();
        ShellOutput output = new ShellOutput(new PrintWriter(text), false, false);
        output.progress("sending a.bin", 5, 10);
        output.progress("sending a.bin", 10, 10);
        output.event("file-sent", "peer", PEER, "path", "a.bin", "bytes", 10L);

        assertThat(text.toString()).doesNotContain("\r").isEqualTo("sent a.bin to 7f3a9c1e (10 B)" + System.lineSeparator());
    }
}
