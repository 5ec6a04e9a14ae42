package io.crust.core.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the published cacophony test vectors (JSON: {"vectors": [...]}) in every {@code *.txt} file of
 * the folder named by the system property {@code crust.noise.vectors} (default:
 * {@code <crust.repo.root>/../shared/test-vectors/noise}). Every vector of a supported protocol must
 * match byte for byte: each message's ciphertext, each payload, and the handshake hash. Vectors of
 * unsupported protocols are counted as skipped; a file with no supported vector fails.
 */
class NoiseVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    static Path vectorFolder() {
        String explicit = System.getProperty("crust.noise.vectors");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String root = System.getProperty("crust.repo.root", System.getProperty("user.dir") + "/..");
        return Path.of(root).resolve("../shared/test-vectors/noise").normalize();
    }

    @Test
    void everySupportedVectorInEveryFileMatchesByteForByte() throws IOException {
        runFolder(vectorFolder());
    }

    @Test
    void anEmptyFolderOrAFileWithoutSupportedVectorsFailsTheCheck(@TempDir Path folder) throws IOException {
        assertThatThrownBy(() -> runFolder(folder)).isInstanceOf(AssertionError.class).hasMessageContaining("*.txt");
        Files.writeString(folder.resolve("exotic.txt"), """
                {"vectors": [{"protocol_name": "Noise_XXfallback_25519_ChaChaPoly_SHA256", "init_prologue": "",
                  "resp_prologue": "", "handshake_hash": "", "messages": []}]}
                """);
        assertThatThrownBy(() -> runFolder(folder)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("supported vectors in");
    }

    private static void runFolder(Path folder) throws IOException {
        assertThat(folder).as("Noise test vector folder (set -Dcrust.noise.vectors)").isDirectory();
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).as("*.txt vector files in " + folder).isNotEmpty();
        for (Path file : files) {
            runFile(file);
        }
    }

    @SuppressWarnings("unchecked")
    private static void runFile(Path file) throws IOException {
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(Files.readString(file));
        List<Map<String, Object>> vectors = (List<Map<String, Object>>) root.get("vectors");
        assertThat(vectors).as("vectors array in " + file).isNotNull();
        int passed = 0;
        int crossChecked = 0;
        List<String> skipped = new ArrayList<>();
        for (Map<String, Object> vector : vectors) {
            String name = (String) vector.get("protocol_name");
            NoiseProtocol protocol;
            try {
                protocol = NoiseProtocol.parse(name);
            } catch (IllegalArgumentException unsupported) {
                skipped.add(name);
                continue;
            }
            runVector(protocol, vector, AeadProvider.FASTEST);
            if (protocol.pattern().name().equals("XX")) {
                // the pattern the channel uses also runs with the other AEAD provider
                runVector(protocol, vector, AeadProvider.BOUNCY_CASTLE);
                crossChecked++;
            }
            passed++;
        }
        System.out.printf("Noise vectors %s: %d passed (%d XX vectors also with BouncyCastle AEAD), %d skipped as unsupported%s%n",
                file.getFileName(), passed, crossChecked, skipped.size(),
                skipped.isEmpty() ? "" : ", e.g. " + skipped.stream().distinct().limit(5).toList());
        assertThat(passed).as("supported vectors in " + file).isPositive();
    }

    @SuppressWarnings("unchecked")
    private static void runVector(NoiseProtocol protocol, Map<String, Object> v, AeadProvider provider) {
        String what = protocol.name() + " (" + provider + ")";
        HandshakeState initiator = side(protocol, true, v, "init_", provider);
        HandshakeState responder = side(protocol, false, v, "resp_", provider);
        HandshakeState.TransportCiphers initCiphers = null;
        HandshakeState.TransportCiphers respCiphers = null;
        List<Map<String, Object>> messages = (List<Map<String, Object>>) v.get("messages");
        try {
            for (int i = 0; i < messages.size(); i++) {
                byte[] payload = hex(messages.get(i).get("payload"));
                byte[] expected = hex(messages.get(i).get("ciphertext"));
                boolean fromInitiator = protocol.pattern().oneWay() || i % 2 == 0;
                byte[] ciphertext;
                byte[] received;
                if (initCiphers == null) {
                    HandshakeState sender = fromInitiator ? initiator : responder;
                    HandshakeState receiver = fromInitiator ? responder : initiator;
                    ciphertext = sender.writeMessage(payload);
                    assertThat(ciphertext).as(what + " handshake message " + i).isEqualTo(expected);
                    received = receiver.readMessage(ciphertext);
                    if (initiator.isComplete() && responder.isComplete()) {
                        assertThat(initiator.handshakeHash()).as(what + " handshake hash")
                                .isEqualTo(hex(v.get("handshake_hash")))
                                .isEqualTo(responder.handshakeHash());
                        initCiphers = initiator.split();
                        respCiphers = responder.split();
                    }
                } else {
                    CipherState sender = fromInitiator ? initCiphers.sender() : respCiphers.sender();
                    CipherState receiver = fromInitiator ? respCiphers.receiver() : initCiphers.receiver();
                    ciphertext = sender.encryptWithAd(new byte[0], payload);
                    assertThat(ciphertext).as(what + " transport message " + i).isEqualTo(expected);
                    received = receiver.decryptWithAd(new byte[0], ciphertext);
                }
                assertThat(received).as(what + " payload " + i).isEqualTo(payload);
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(what + ": " + e, e);
        }
        assertThat(initCiphers).as(what + " completed its handshake").isNotNull();
    }

    @SuppressWarnings("unchecked")
    private static HandshakeState side(NoiseProtocol protocol, boolean initiator, Map<String, Object> v, String prefix,
            AeadProvider provider) {
        DhFunction dh = protocol.dh();
        Object psks = v.get(prefix + "psks");
        List<byte[]> pskList = psks == null ? List.of() : ((List<Object>) psks).stream().map(NoiseVectorsTest::hex).toList();
        return new HandshakeState(protocol, initiator, hex(v.get(prefix + "prologue")),
                keyPair(dh, v.get(prefix + "static")), keyPair(dh, v.get(prefix + "ephemeral")),
                v.get(prefix + "remote_static") == null ? null : hex(v.get(prefix + "remote_static")),
                null, pskList, new SecureRandom(), provider);
    }

    private static DhKeyPair keyPair(DhFunction dh, Object privateHex) {
        return privateHex == null ? null : dh.keyPairFromPrivateKey(hex(privateHex));
    }

    private static byte[] hex(Object text) {
        return HEX.parseHex((String) text);
    }
}
