package io.crust.testkit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class LabToolsTest {

    @Test
    void aMissingProgramSkipsTheTestWithItsNameLocally() {
        assertThatThrownBy(() -> LabTools.require(List.of("sh", "crust-no-such-tool"), false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("test skipped")
                .hasMessageContaining("crust-no-such-tool")
                .hasMessageNotContaining("sh,");
    }

    @Test
    void aMissingProgramFailsTheTestUnderCi() {
        assertThatThrownBy(() -> LabTools.require(List.of("crust-no-such-tool"), true))
                .isInstanceOf(LabException.class)
                .hasMessageContaining("required in CI")
                .hasMessageContaining("crust-no-such-tool");
    }

    @Test
    void programsThatExistPassAndTheMessageNamesTheDebianPackage() {
        assertThatCode(() -> LabTools.require(List.of("sh"), true)).doesNotThrowAnyException();
        assertThat(LabTools.describe(List.of("turnserver", "ethtool"))).isEqualTo(
                "turnserver (Debian package coturn), ethtool (Debian package ethtool)");
    }

    @Test
    void theProgramOfATimeoutCommandIsTheOneChecked() {
        assertThatThrownBy(() -> LabTools.requireProgramOf(List.of("timeout", "8", "crust-no-such-tool", "-p", "3500")))
                .hasMessageContaining("crust-no-such-tool");
        assertThatCode(() -> LabTools.requireProgramOf(List.of("bash", "-c", "echo hi"))).doesNotThrowAnyException();
    }
}
