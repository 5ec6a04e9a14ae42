package io.crust.demo.nat;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.demo.Main;
import io.crust.testkit.NoNameLookups;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Options that take an IP address ({@code nat map --gateway}, {@code nat stun-server --bind} and
 * {@code --alternate-ip}) refuse a name with a usage error instead of looking it up; see
 * {@link NoNameLookups}.
 */
class NoNameLookupTest {

    @Test
    void addressOptionsGivenANameAreUsageErrorsWithoutALookup() throws Exception {
        StringWriter err = new StringWriter();
        List<String> seen = NoNameLookups.during(() -> {
            for (String name : List.of("cafe", "dead.beef", "gateway.example.org")) {
                CommandLine cli = Main.commandLine();
                cli.setErr(new PrintWriter(err));
                assertThat(cli.execute("nat", "map", "--protocol", "natpmp", "--port", "4000", "--gateway", name))
                        .isEqualTo(2);
                cli = Main.commandLine();
                cli.setErr(new PrintWriter(err));
                assertThat(cli.execute("nat", "stun-server", "--port", "0", "--bind", name)).isEqualTo(2);
                cli = Main.commandLine();
                cli.setErr(new PrintWriter(err));
                assertThat(cli.execute("nat", "stun-server", "--port", "0", "--bind", "127.0.0.1", "--alternate-ip", name))
                        .isEqualTo(2);
            }
        });
        assertThat(seen).isEmpty();
        assertThat(err.toString()).contains("--gateway must be an IP address: 'dead.beef' is not an IP address");
    }
}
