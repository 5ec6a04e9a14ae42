package io.crust.demo.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.demo.peer.FileMessages.FileMessage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileReceiverTest {
    @TempDir
    Path dir;
    private final PeerId sender = Identity.generate().peerId();

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static FileMessage decode(byte[] message) throws Exception {
        assertThat(FileMessages.isFileMessage(message)).isTrue();
        return FileMessages.decode(message);
    }

    private static byte[] chunk(long id, long offset, byte[] data, int from, int to) {
        ByteBuffer chunk = FileMessages.chunk(id, offset, to - from);
        chunk.put(data, from, to - from);
        return chunk.array();
    }

    private FileReceiver.Outcome sendWhole(FileReceiver receiver, long id, String name, byte[] data, byte[] claimedSha256) throws Exception {
        FileReceiver.Outcome last = receiver.onMessage(sender, decode(FileMessages.header(id, data.length, claimedSha256, name)));
        for (int offset = 0; offset < data.length; offset += 1000) {
            last = receiver.onMessage(sender, decode(chunk(id, offset, data, offset, Math.min(data.length, offset + 1000))));
        }
        return last;
    }

    @Test
    void aFileArrivesWhenSizeAndHashMatch() throws Exception {
        byte[] data = new byte[4321];
        new Random(1).nextBytes(data);
        FileReceiver receiver = new FileReceiver(dir, 1 << 20);

        FileReceiver.Outcome outcome = sendWhole(receiver, 7, "report.pdf", data, sha256(data));

        assertThat(outcome).isInstanceOf(FileReceiver.Completed.class);
        FileReceiver.Completed done = (FileReceiver.Completed) outcome;
        assertThat(done.path()).isEqualTo(dir.resolve("report.pdf"));
        assertThat(Files.readAllBytes(done.path())).isEqualTo(data);
        assertThat(done.sha256()).isEqualTo(HexFormat.of().formatHex(sha256(data)));
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("report.pdf"));
        }
    }

    @Test
    void aDamagedFileIsDeletedAndReported() throws Exception {
        byte[] data = new byte[3000];
        byte[] wrongHash = sha256(new byte[] {1});
        FileReceiver receiver = new FileReceiver(dir, 1 << 20);

        FileReceiver.Outcome outcome = sendWhole(receiver, 7, "a.bin", data, wrongHash);

        assertThat(outcome).isInstanceOf(FileReceiver.Failed.class);
        assertThat(((FileReceiver.Failed) outcome).reason()).contains("SHA-256 mismatch");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aChunkOutOfOrderOrBeyondTheSizeAbandonsTheTransfer() throws Exception {
        byte[] data = new byte[3000];
        FileReceiver receiver = new FileReceiver(dir, 1 << 20);
        receiver.onMessage(sender, decode(FileMessages.header(1, data.length, sha256(data), "x")));
        assertThat(receiver.onMessage(sender, decode(chunk(1, 1000, data, 0, 1000)))).isInstanceOf(FileReceiver.Failed.class);

        receiver.onMessage(sender, decode(FileMessages.header(2, 10, sha256(data), "y")));
        assertThat(receiver.onMessage(sender, decode(chunk(2, 0, data, 0, 11)))).isInstanceOf(FileReceiver.Failed.class);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aFileLargerThanTheLimitIsRefusedBeforeAnyByteIsWritten() throws Exception {
        FileReceiver receiver = new FileReceiver(dir, 100);

        FileReceiver.Outcome outcome = receiver.onMessage(sender, decode(FileMessages.header(1, 101, new byte[32], "big")));

        assertThat(outcome).isInstanceOf(FileReceiver.Failed.class);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void anExistingFileIsNeverReplaced() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        byte[] data = "theirs".getBytes();
        FileReceiver receiver = new FileReceiver(dir, 1 << 20);

        FileReceiver.Completed done = (FileReceiver.Completed) sendWhole(receiver, 3, "notes.txt", data, sha256(data));

        assertThat(done.path()).isEqualTo(dir.resolve("notes (1).txt"));
        assertThat(Files.readString(dir.resolve("notes.txt"))).isEqualTo("mine");
    }

    @Test
    void anEmptyFileArrivesAtOnce() throws Exception {
        FileReceiver receiver = new FileReceiver(dir, 100);

        FileReceiver.Outcome outcome = receiver.onMessage(sender, decode(FileMessages.header(1, 0, sha256(new byte[0]), "empty")));

        assertThat(outcome).isInstanceOf(FileReceiver.Completed.class);
        assertThat(dir.resolve("empty")).isEmptyFile();
    }

    @Test
    void hostileNamesNeverLeaveTheDirectory() throws Exception {
        List<String> hostile = List.of("../../etc/passwd", "..", ".", "/etc/shadow", "..\\..\\windows\\system32",
                "a/../../b", ".hidden", "   ", "con\u0000trol\n.txt", "é/ü", "x".repeat(240) + ".txt");
        FileReceiver receiver = new FileReceiver(dir, 1 << 20);
        long id = 100;
        for (String name : hostile) {
            byte[] data = name.getBytes();
            FileReceiver.Outcome outcome = sendWhole(receiver, id++, name, data, sha256(data));
            assertThat(outcome).as(name).isInstanceOf(FileReceiver.Completed.class);
            Path saved = ((FileReceiver.Completed) outcome).path();
            assertThat(saved.getParent()).as(name).isEqualTo(dir);
            assertThat(saved.getFileName().toString()).as(name).doesNotStartWith(".").hasSizeLessThanOrEqualTo(100);
        }
    }

    @Test
    void safeNamesKeepOrdinaryNamesAndReplaceTheRest() {
        assertThat(FileReceiver.safeName("holiday photo (2).jpg")).isEqualTo("holiday photo (2).jpg");
        assertThat(FileReceiver.safeName("../../etc/passwd")).isEqualTo("passwd");
        assertThat(FileReceiver.safeName("..")).isEqualTo("file");
        assertThat(FileReceiver.safeName("a:b*c?.txt")).isEqualTo("a_b_c_.txt");
        assertThat(FileReceiver.safeName(".bashrc")).isEqualTo("bashrc");
        assertThat(FileReceiver.safeName("x".repeat(300) + ".txt")).hasSize(100).endsWith(".txt");
    }

    @Test
    void transfersOfALostPeerAreAbandonedAndTheirPartsDeleted() throws Exception {
        byte[] data = new byte[3000];
        FileReceiver receiver = new FileReceiver(dir, 1 << 20);
        receiver.onMessage(sender, decode(FileMessages.header(1, data.length, sha256(data), "x")));
        receiver.onMessage(sender, decode(chunk(1, 0, data, 0, 1000)));

        assertThat(receiver.abandon(sender, "lost")).hasSize(1);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void malformedFileMessagesAreRefused() {
        byte[] header = FileMessages.header(1, 5, new byte[32], "name");
        for (byte[] bad : List.of(new byte[] {0}, Arrays.copyOf(header, header.length - 1), Arrays.copyOf(header, header.length + 1),
                new byte[] {0, 'F', 'Z', 1, 0, 0, 0, 0, 0, 0, 0, 0}, new byte[] {0, 'F', 'H', 2, 0, 0, 0, 0, 0, 0, 0, 0})) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileMessages.decode(bad))
                    .isInstanceOf(FileMessages.MalformedFileMessage.class);
        }
    }

    @Test
    void textIsNeverMistakenForAFileMessage() {
        assertThat(FileMessages.isFileMessage("hello".getBytes())).isFalse();
        assertThat(FileMessages.isFileMessage(new byte[0])).isFalse();
    }
}
