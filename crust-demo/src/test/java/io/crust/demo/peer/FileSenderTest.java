package io.crust.demo.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.CrustException;
import io.crust.core.Identity;
import io.crust.core.Peer;
import io.crust.core.PeerId;
import io.crust.core.Priority;
import io.crust.core.Route;
import io.crust.core.Transport;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSenderTest {
    @TempDir
    Path dir;
    private final PeerId me = Identity.generate().peerId();
    private final PeerId them = Identity.generate().peerId();
    private final List<String> progress = new ArrayList<>();

    /** A peer whose sends go straight to {@code wire}, on the sender's thread. */
    private Peer peerThat(Consumer<byte[]> wire) {
        return new Peer() {
            @Override public PeerId id() { return them; }
            @Override public Transport transport() { return Transport.TCP; }
            @Override public Route route() { return Route.DIRECT; }
            @Override public InetSocketAddress remoteAddress() { return new InetSocketAddress("127.0.0.1", 1); }
            @Override public boolean isOpen() { return true; }
            @Override public void send(byte[] message, Priority priority) { wire.accept(message.clone()); }
            @Override public byte[] receive(Duration timeout) { throw new UnsupportedOperationException(); }
            @Override public byte[] receive() { throw new UnsupportedOperationException(); }
            @Override public void close() { }
        };
    }

    @Test
    void aFileSentInChunksIsSavedByTheReceiverAndTheSenderReturnsItsHash() throws Exception {
        byte[] data = new byte[10_000];
        new Random(3).nextBytes(data);
        Path file = Files.write(dir.resolve("notes.bin"), data);
        Path inbox = Files.createDirectory(dir.resolve("inbox"));
        FileReceiver receiver = new FileReceiver(inbox, 1 << 20);
        FileSender sender = new FileSender(3_000, (what, done, total) -> progress.add(what + " " + done + "/" + total));
        Peer wire = peerThat(message -> {
            try {
                FileReceiver.Outcome outcome = receiver.onMessage(me, FileMessages.decode(message));
                if (outcome instanceof FileReceiver.Completed c) {
                    sender.onResult(them, new FileMessages.Result(c.transferId(), true));
                }
            } catch (FileMessages.MalformedFileMessage e) {
                throw new AssertionError(e);
            }
        });

        FileSender.Sent sent = sender.send(wire, file);

        assertThat(Files.readAllBytes(inbox.resolve("notes.bin"))).isEqualTo(data);
        assertThat(sent.bytes()).isEqualTo(data.length);
        assertThat(sent.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        assertThat(progress).containsExactly("sending notes.bin 0/10000", "sending notes.bin 3000/10000",
                "sending notes.bin 6000/10000", "sending notes.bin 9000/10000", "sending notes.bin 10000/10000");
    }

    @Test
    void aVerdictFromAnotherPeerIsIgnoredAndARefusalFailsTheSend() throws Exception {
        Path file = Files.write(dir.resolve("a.txt"), new byte[] {1, 2, 3});
        FileSender sender = new FileSender(1_000, (what, done, total) -> { });
        PeerId stranger = Identity.generate().peerId();
        Peer wire = peerThat(message -> {
            try {
                if (FileMessages.decode(message) instanceof FileMessages.Chunk c) {
                    sender.onResult(stranger, new FileMessages.Result(c.transferId(), true));
                    sender.onResult(them, new FileMessages.Result(c.transferId(), false));
                }
            } catch (FileMessages.MalformedFileMessage e) {
                throw new AssertionError(e);
            }
        });

        assertThatThrownBy(() -> sender.send(wire, file)).isInstanceOf(CrustException.class)
                .hasMessageContaining("did not save");
    }

    @Test
    void losingThePeerFailsAWaitingSendAtOnceSayingTheReceiverWasLost() throws Exception {
        Path file = Files.write(dir.resolve("b.txt"), new byte[] {4, 5, 6});
        FileSender sender = new FileSender(1_000, (what, done, total) -> { });
        CountDownLatch sentAll = new CountDownLatch(1);
        Peer wire = peerThat(message -> {
            try {
                if (FileMessages.decode(message) instanceof FileMessages.Chunk) {
                    sentAll.countDown();
                }
            } catch (FileMessages.MalformedFileMessage e) {
                throw new AssertionError(e);
            }
        });
        Thread lose = Thread.ofVirtual().start(() -> {
            try {
                sentAll.await();
            } catch (InterruptedException e) {
                return;
            }
            sender.onPeerLost(them, "no heartbeat for 8000 ms");
        });

        long start = System.nanoTime();
        assertThatThrownBy(() -> sender.send(wire, file)).isInstanceOf(CrustException.class)
                .hasMessageContaining("was lost before it confirmed").hasMessageContaining("no heartbeat for 8000 ms");
        lose.join();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
                .isLessThan(FileSender.resultTimeout(3).toSeconds());
    }
}
