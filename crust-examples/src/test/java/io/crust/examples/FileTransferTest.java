package io.crust.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.CrustConfig;
import io.crust.core.CrustException;
import io.crust.core.CrustNode;
import io.crust.core.MessageDelivery;
import io.crust.core.Peer;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTransferTest {
    private static final CrustConfig CONFIG = CrustConfig.builder()
            .bindAddress(InetAddress.getLoopbackAddress())
            .udp(false)
            .messageDelivery(MessageDelivery.PER_PEER)
            .build();

    @TempDir
    Path dir;

    @Test
    void aFileArrivesWholeAndVerified() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(16).nextBytes(content);
        Path file = Files.write(dir.resolve("data.bin"), content);
        Path inbox = Files.createDirectory(dir.resolve("inbox"));

        try (CrustNode sender = CrustNode.start(CONFIG); CrustNode receiver = CrustNode.start(CONFIG);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Peer toReceiver = sender.connect(receiver.tcpAddress().orElseThrow(), Output.WAIT);
            Peer fromSender = receiver.awaitPeer(sender.id(), Output.WAIT);
            Future<Path> received = threads.submit(() -> FileTransfer.receive(fromSender, inbox, Output.WAIT));
            FileTransfer.send(toReceiver, file);

            Path written = received.get();
            assertThat(written).isEqualTo(inbox.resolve("data.bin"));
            assertThat(Files.readAllBytes(written)).isEqualTo(content);
        }
    }

    @Test
    void aHeaderNamingAPathOutsideTheFolderIsRefused() throws Exception {
        Path inbox = Files.createDirectory(dir.resolve("inbox"));
        try (CrustNode sender = CrustNode.start(CONFIG); CrustNode receiver = CrustNode.start(CONFIG)) {
            Peer toReceiver = sender.connect(receiver.tcpAddress().orElseThrow(), Output.WAIT);
            Peer fromSender = receiver.awaitPeer(sender.id(), Output.WAIT);
            byte[] name = "../escape".getBytes(StandardCharsets.UTF_8);
            toReceiver.send(ByteBuffer.allocate(8 + name.length).putLong(1).put(name).array());

            Callable<Path> receive = () -> FileTransfer.receive(fromSender, inbox, Output.WAIT);
            assertThatThrownBy(receive::call).isInstanceOf(CrustException.class).hasMessageContaining("bad file header");
            assertThat(dir.resolve("escape")).doesNotExist();
        }
    }
}
