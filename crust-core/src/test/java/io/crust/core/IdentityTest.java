package io.crust.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {
    @TempDir
    Path dir;

    @Test
    void firstStartCreatesAnOwnerOnlyKeyFileAndLaterStartsReuseIt() throws Exception {
        Path dataDir = dir.resolve("node");
        Identity first = Identity.loadOrCreate(dataDir);
        Path file = dataDir.resolve(Identity.FILE_NAME);
        assertThat(file).isRegularFile().hasSize(72);
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(file))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        Identity second = Identity.loadOrCreate(dataDir);
        assertThat(second.peerId()).isEqualTo(first.peerId());
        assertThat(second.noiseStaticKeyPair()).isEqualTo(first.noiseStaticKeyPair());
        try (var listing = Files.list(dataDir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("identity.key");
        }
    }

    @Test
    void aDamagedKeyFileIsReportedNotReplaced() throws Exception {
        Files.write(dir.resolve(Identity.FILE_NAME), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Identity.loadOrCreate(dir)).isInstanceOf(CrustException.class)
                .hasMessageContaining("not a Crust identity file").hasMessageContaining("3 bytes");
        byte[] wrongMagic = new byte[72];
        Files.write(dir.resolve(Identity.FILE_NAME), wrongMagic);
        assertThatThrownBy(() -> Identity.loadOrCreate(dir)).hasMessageContaining("not a Crust identity file");
        assertThat(Files.readAllBytes(dir.resolve(Identity.FILE_NAME))).isEqualTo(wrongMagic);
    }

    @Test
    void signaturesVerifyUnderThePeerId() {
        Identity identity = Identity.generate();
        byte[] signature = identity.sign(new byte[] {1, 2, 3});
        assertThat(signature).hasSize(64);
        assertThat(identity.peerId().verify(new byte[] {1, 2, 3}, signature)).isTrue();
        assertThat(identity.toString()).contains(identity.peerId().toString()).doesNotContain("private");
    }
}
