package io.crust.core.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the published Noise test vectors (cacophony/snow JSON: {"vectors": [...]}) in every
 * {@code *.txt} file of the folder named by the system property {@code crust.noise.vectors}, by
 * default the copies in this module's test resources ({@code io/crust/core/noise/vectors}, where a
 * README says where each file comes from). Every vector of a supported protocol must match byte
 * for byte: each message's ciphertext, each payload, and the handshake hash when the vector gives
 * one. Fields the format makes optional may be missing or empty. Vectors this framework cannot run
 * (unknown patterns or functions, hybrid, fallback, or expected-failure vectors, no messages) are
 * skipped and counted; a file with no supported vector fails.
 */
class NoiseVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    static Path vectorFolder() {
        String explicit = System.getProperty("crust.noise.vectors");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        URL bundled = NoiseVectorsTest.class.getResource("vectors");
        assertThat(bundled).as("test resource folder io/crust/core/noise/vectors").isNotNull();
        try {
            return Path.of(bundled.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What one file gave: vectors run, of them without a handshake hash, and skipped ones by reason. */
    record Summary(int passed, int crossChecked, int withoutHash, Map<String, List<String>> skipped) {
        int skippedCount() {
            return skipped.values().stream().mapToInt(List::size).sum();
        }
    }

    @Test
    void everySupportedVectorInEveryFileMatchesByteForByte() throws IOException {
        Path folder = vectorFolder();
        runFolder(folder);
    }

    @Test
    void theBundledVectorsAreReadFromTheModulesOwnTestResources() {
        Assumptions.assumeTrue(System.getProperty("crust.noise.vectors") == null, "-Dcrust.noise.vectors points elsewhere");
        assertThat(vectorFolder().resolve("cacophony.txt")).isRegularFile();
        assertThat(vectorFolder().toAbsolutePath().normalize().toString()).contains("test-classes");
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

    @Test
    @SuppressWarnings("unchecked")
    void optionalFieldsMayBeMissingOrEmptyAndUnsupportedVectorsAreSkippedAndCounted(@TempDir Path folder) throws IOException {
        Map<String, Object> bundled = (Map<String, Object>) MiniJson.parse(
                Files.readString(vectorFolder().resolve("cacophony.txt")));
        List<Map<String, Object>> vectors = (List<Map<String, Object>>) bundled.get("vectors");
        Map<String, Object> nn = first(vectors, "Noise_NN_25519_ChaChaPoly_SHA256");
        Map<String, Object> xxPsk = first(vectors, "Noise_XXpsk3_25519_ChaChaPoly_SHA256");
        // the same vectors as other implementations write them: no handshake_hash, "name" instead of
        // "protocol_name" (older cacophony), empty optional keys, the psks in init_psks/resp_psks
        String file = "{\"vectors\": [\n"
                + vectorJson(nn, "protocol_name", false, "\"init_static\": \"\", \"resp_remote_static\": \"\", ") + ",\n"
                + vectorJson(xxPsk, "name", false, "") + ",\n"
                + vectorJson(xxPsk, "protocol_name", true, "\"fail\": false, ") + ",\n"
                + """
                {"protocol_name": "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_SHA256", "hybrid": "Kyber1024", "messages": []},
                {"protocol_name": "Noise_IK_25519_ChaChaPoly_SHA256", "fallback": true, "fallback_pattern": "XXfallback", "messages": []},
                {"protocol_name": "Noise_NN_25519_ChaChaPoly_SHA256", "fail": true, "messages": [{"payload": "", "ciphertext": "00"}]},
                {"protocol_name": "Noise_NN_25519_ChaChaPoly_SHA3", "messages": [{"payload": "", "ciphertext": "00"}]},
                {"protocol_name": "Noise_NN_25519_ChaChaPoly_SHA256"}
                ]}
                """;
        Files.writeString(folder.resolve("others.txt"), file);

        Summary summary = runFile(folder.resolve("others.txt"));

        assertThat(summary.passed()).isEqualTo(3);
        assertThat(summary.withoutHash()).isEqualTo(2);
        assertThat(summary.skippedCount()).isEqualTo(5);
        assertThat(summary.skipped()).containsOnlyKeys("unknown pattern or function", "hybrid", "fallback",
                "expected to fail", "no messages");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aVectorWhoseCiphertextDiffersFailsEvenWithoutAHandshakeHash(@TempDir Path folder) throws IOException {
        String text = Files.readString(vectorFolder().resolve("cacophony.txt"));
        Map<String, Object> nn = first((List<Map<String, Object>>) ((Map<String, Object>) MiniJson.parse(text)).get("vectors"),
                "Noise_NN_25519_ChaChaPoly_SHA256");
        String good = vectorJson(nn, "protocol_name", false, "");
        String lastCiphertext = (String) ((List<Map<String, Object>>) nn.get("messages")).getLast().get("ciphertext");
        String flipped = (lastCiphertext.charAt(0) == '0' ? "1" : "0") + lastCiphertext.substring(1);
        Files.writeString(folder.resolve("bad.txt"), "{\"vectors\": [" + good.replace(lastCiphertext, flipped) + "]}");
        assertThatThrownBy(() -> runFile(folder.resolve("bad.txt"))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("transport message 5");
    }

    private static Map<String, Object> first(List<Map<String, Object>> vectors, String name) {
        return vectors.stream().filter(v -> name.equals(v.get("protocol_name"))).findFirst().orElseThrow();
    }

    /** One vector as JSON again, with its name under {@code nameKey}, its hash kept or left out. */
    @SuppressWarnings("unchecked")
    private static String vectorJson(Map<String, Object> v, String nameKey, boolean keepHash, String extra) {
        StringBuilder json = new StringBuilder("{").append(extra);
        json.append('"').append(nameKey).append("\": \"").append(v.get("protocol_name")).append('"');
        for (Map.Entry<String, Object> field : v.entrySet()) {
            String key = field.getKey();
            if (key.equals("protocol_name") || key.equals("messages") || (key.equals("handshake_hash") && !keepHash)) {
                continue;
            }
            json.append(", \"").append(key).append("\": ");
            if (field.getValue() instanceof List<?> list) {
                json.append(list.stream().map(x -> "\"" + x + "\"").toList().toString());
            } else {
                json.append('"').append(field.getValue()).append('"');
            }
        }
        json.append(", \"messages\": [");
        List<Map<String, Object>> messages = (List<Map<String, Object>>) v.get("messages");
        for (int i = 0; i < messages.size(); i++) {
            json.append(i == 0 ? "" : ", ").append("{\"payload\": \"").append(messages.get(i).get("payload"))
                    .append("\", \"ciphertext\": \"").append(messages.get(i).get("ciphertext")).append("\"}");
        }
        return json.append("]}").toString();
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
    private static Summary runFile(Path file) throws IOException {
        Map<String, Object> root = (Map<String, Object>) MiniJson.parse(Files.readString(file));
        List<Map<String, Object>> vectors = (List<Map<String, Object>>) root.get("vectors");
        assertThat(vectors).as("vectors array in " + file).isNotNull();
        int passed = 0;
        int crossChecked = 0;
        int withoutHash = 0;
        Map<String, List<String>> skipped = new TreeMap<>();
        for (Map<String, Object> vector : vectors) {
            String name = text(vector, "protocol_name") != null ? text(vector, "protocol_name") : text(vector, "name");
            String reason = unsupportedReason(vector);
            NoiseProtocol protocol = null;
            if (reason == null) {
                try {
                    protocol = NoiseProtocol.parse(String.valueOf(name));
                } catch (IllegalArgumentException unsupported) {
                    reason = "unknown pattern or function";
                }
            }
            if (reason != null) {
                skipped.computeIfAbsent(reason, r -> new ArrayList<>()).add(String.valueOf(name));
                continue;
            }
            runVector(protocol, vector, AeadProvider.FASTEST);
            if (protocol.pattern().name().equals("XX")) {
                // the pattern the channel uses also runs with the other AEAD provider
                runVector(protocol, vector, AeadProvider.BOUNCY_CASTLE);
                crossChecked++;
            }
            if (text(vector, "handshake_hash") == null) {
                withoutHash++;
            }
            passed++;
        }
        Summary summary = new Summary(passed, crossChecked, withoutHash, skipped);
        System.out.printf("Noise vectors %s: %d passed (%d XX vectors also with BouncyCastle AEAD, %d without a handshake hash),"
                        + " %d skipped as unsupported%s%n",
                file.getFileName(), passed, crossChecked, withoutHash, summary.skippedCount(),
                skipped.isEmpty() ? "" : " " + describeSkipped(skipped));
        assertThat(passed).as("supported vectors in " + file).isPositive();
        return summary;
    }

    /** Why a vector cannot run here, before its name is parsed; null when it can. */
    private static String unsupportedReason(Map<String, Object> vector) {
        if (text(vector, "protocol_name") == null && text(vector, "name") == null) {
            return "no protocol name";
        }
        if (text(vector, "hybrid") != null) {
            return "hybrid";
        }
        if (Boolean.TRUE.equals(vector.get("fallback")) || text(vector, "fallback_pattern") != null) {
            return "fallback";
        }
        if (Boolean.TRUE.equals(vector.get("fail"))) {
            return "expected to fail";
        }
        if (!(vector.get("messages") instanceof List<?> messages) || messages.isEmpty()) {
            return "no messages";
        }
        return null;
    }

    private static String describeSkipped(Map<String, List<String>> skipped) {
        StringBuilder text = new StringBuilder("(");
        skipped.forEach((reason, names) -> text.append(text.length() > 1 ? "; " : "").append(reason).append(": ")
                .append(names.size()).append(", e.g. ").append(names.stream().distinct().limit(3).toList()));
        return text.append(')').toString();
    }

    /** A string field, or null when it is missing, null or empty. */
    private static String text(Map<String, Object> vector, String key) {
        return vector.get(key) instanceof String s && !s.isEmpty() ? s : null;
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
                byte[] payload = hexOrEmpty(messages.get(i).get("payload"));
                byte[] expected = hexOrEmpty(messages.get(i).get("ciphertext"));
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
                        assertThat(initiator.handshakeHash()).as(what + " handshake hash of both sides")
                                .isEqualTo(responder.handshakeHash());
                        if (text(v, "handshake_hash") != null) {
                            assertThat(initiator.handshakeHash()).as(what + " handshake hash")
                                    .isEqualTo(hex(v.get("handshake_hash")));
                        }
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
        List<byte[]> pskList = v.get(prefix + "psks") instanceof List<?> psks
                ? psks.stream().map(NoiseVectorsTest::hex).toList()
                : List.of();
        return new HandshakeState(protocol, initiator, hexOrEmpty(v.get(prefix + "prologue")),
                keyPair(dh, text(v, prefix + "static")), keyPair(dh, text(v, prefix + "ephemeral")),
                optionalHex(text(v, prefix + "remote_static")), optionalHex(text(v, prefix + "remote_ephemeral")),
                pskList, new SecureRandom(), provider);
    }

    private static DhKeyPair keyPair(DhFunction dh, String privateHex) {
        return privateHex == null ? null : dh.keyPairFromPrivateKey(hex(privateHex));
    }

    private static byte[] optionalHex(String text) {
        return text == null ? null : hex(text);
    }

    private static byte[] hexOrEmpty(Object text) {
        return text == null ? new byte[0] : hex(text);
    }

    private static byte[] hex(Object text) {
        return HEX.parseHex((String) text);
    }
}
