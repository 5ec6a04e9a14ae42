package io.crust.demo.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.demo.peer.ShellCommand.UsageException;
import org.junit.jupiter.api.Test;

class ShellCommandTest {

    @Test
    void everyCommandOfTheContractParses() throws Exception {
        assertThat(ShellCommand.parse("id")).isEqualTo(new ShellCommand.Id());
        assertThat(ShellCommand.parse("peers")).isEqualTo(new ShellCommand.Peers());
        assertThat(ShellCommand.parse("connect abcd")).isEqualTo(new ShellCommand.Connect("abcd"));
        assertThat(ShellCommand.parse("connect 192.0.2.1:5483")).isEqualTo(new ShellCommand.Connect("192.0.2.1:5483"));
        assertThat(ShellCommand.parse("drop abcd")).isEqualTo(new ShellCommand.Drop("abcd"));
        assertThat(ShellCommand.parse("ban 10.0.0.0/8")).isEqualTo(new ShellCommand.Ban("10.0.0.0/8"));
        assertThat(ShellCommand.parse("quit")).isEqualTo(new ShellCommand.Quit());
        assertThat(ShellCommand.parse("exit")).isEqualTo(new ShellCommand.Quit());
        assertThat(ShellCommand.parse("help")).isEqualTo(new ShellCommand.Help());
    }

    @Test
    void sendKeepsTheRestOfTheLineWithItsSpaces() throws Exception {
        assertThat(ShellCommand.parse("  send abcd   hello,  world  ")).isEqualTo(new ShellCommand.Send("abcd", "hello,  world"));
        assertThat(ShellCommand.parse("sendfile abcd /tmp/my file.txt")).isEqualTo(new ShellCommand.SendFile("abcd", "/tmp/my file.txt"));
    }

    @Test
    void commandNamesAreCaseInsensitive() throws Exception {
        assertThat(ShellCommand.parse("PEERS")).isEqualTo(new ShellCommand.Peers());
    }

    @Test
    void emptyLinesAndCommentsDoNothing() throws Exception {
        assertThat(ShellCommand.parse("")).isEqualTo(new ShellCommand.Nothing());
        assertThat(ShellCommand.parse("   ")).isEqualTo(new ShellCommand.Nothing());
        assertThat(ShellCommand.parse("# a comment")).isEqualTo(new ShellCommand.Nothing());
    }

    @Test
    void aTypoGetsASuggestion() {
        assertThatThrownBy(() -> ShellCommand.parse("sned abcd hi")).isInstanceOf(UsageException.class)
                .hasMessage("unknown command 'sned' (did you mean send?); type help for the list");
        assertThatThrownBy(() -> ShellCommand.parse("peer")).hasMessageContaining("did you mean peers?");
    }

    @Test
    void anUnknownWordGetsNoSuggestion() {
        assertThatThrownBy(() -> ShellCommand.parse("launch rockets")).isInstanceOf(UsageException.class)
                .hasMessage("unknown command 'launch'; type help for the list");
    }

    @Test
    void missingOrExtraArgumentsShowTheUsage() {
        assertThatThrownBy(() -> ShellCommand.parse("connect")).hasMessage("usage: connect PEERID or connect HOST:PORT");
        assertThatThrownBy(() -> ShellCommand.parse("send abcd")).hasMessage("usage: send PEER TEXT...");
        assertThatThrownBy(() -> ShellCommand.parse("sendfile")).hasMessage("usage: sendfile PEER PATH");
        assertThatThrownBy(() -> ShellCommand.parse("drop a b")).hasMessage("usage: drop PEER");
        assertThatThrownBy(() -> ShellCommand.parse("id now")).hasMessage("id takes no arguments");
    }

    @Test
    void aVeryLongUnknownCommandIsAbbreviatedInTheMessage() {
        assertThatThrownBy(() -> ShellCommand.parse("x".repeat(500))).hasMessageContaining("xxx...'");
    }
}
