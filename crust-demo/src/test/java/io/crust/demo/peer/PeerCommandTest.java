package io.crust.demo.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the demo peer keeps its data when {@code --data-dir} is not given. */
class PeerCommandTest {

    @Test
    void theDefaultDataDirIsUnderXdgDataHomeWhenItIsSet() {
        assertThat(PeerCommand.defaultDataDir(Map.of("XDG_DATA_HOME", "/srv/me/data"), "/home/me"))
                .isEqualTo(Path.of("/srv/me/data/crust"));
    }

    @Test
    void theDefaultDataDirIsUnderTheHomeFolderWithoutXdgDataHome() {
        assertThat(PeerCommand.defaultDataDir(Map.of(), "/home/me")).isEqualTo(Path.of("/home/me/.local/share/crust"));
    }

    @Test
    void anEmptyOrRelativeXdgDataHomeIsIgnoredAsTheSpecificationSays() {
        assertThat(PeerCommand.defaultDataDir(Map.of("XDG_DATA_HOME", ""), "/home/me"))
                .isEqualTo(Path.of("/home/me/.local/share/crust"));
        assertThat(PeerCommand.defaultDataDir(Map.of("XDG_DATA_HOME", "data"), "/home/me"))
                .isEqualTo(Path.of("/home/me/.local/share/crust"));
    }
}
