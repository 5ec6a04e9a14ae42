package io.crust.demo.peer.tutorial;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.CrustConfig;
import io.crust.core.CrustEvent;
import io.crust.core.CrustTimeoutException;
import io.crust.core.CrustNode;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the tutorial's chat program against a second node, and checks docs/tutorial.md shows its exact source. */
class ChatTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theChatSendsTypedLinesAndPrintsWhatArrives() throws Exception {
        CrustConfig friendConfig = CrustConfig.builder().dataDir(dir.resolve("friend")).networkName("chat")
                .bindAddress(InetAddress.getLoopbackAddress()).build();
        try (CrustNode friend = CrustNode.start(friendConfig)) {
            int port = friend.tcpAddress().orElseThrow().getPort();
            PipedOutputStream typing = new PipedOutputStream();
            PipedInputStream keyboard = new PipedInputStream(typing);
            Screen screen = new Screen();
            PrintStream out = new PrintStream(screen, true, UTF_8);
            Thread chat = Thread.ofPlatform().name("chat").start(() -> {
                try {
                    Chat.chat(Chat.config(new String[] {dir.resolve("me").toString(), "127.0.0.1:" + port}), keyboard, out);
                } catch (Exception e) {
                    e.printStackTrace(out);
                }
            });

            CrustEvent.PeerConnected joined = await(friend, CrustEvent.PeerConnected.class);
            // The chat sends a line to the peers its own node has: type only once it has the friend
            // too (its side of the handshake may finish after the friend's side).
            screen.awaitText("* " + friend.id().shortForm() + " joined");
            typing.write("hello, friend\n".getBytes(UTF_8));
            typing.flush();
            CrustEvent.MessageReceived heard = await(friend, CrustEvent.MessageReceived.class);
            assertThat(new String(heard.message(), UTF_8)).isEqualTo("hello, friend");

            joined.peer().send("hi there".getBytes(UTF_8));
            screen.awaitText(friend.id().shortForm() + ": hi there");
            typing.close();
            chat.join(WAIT.toMillis());

            String shown = screen.text();
            assertThat(shown).startsWith("I am ").contains("* " + friend.id().shortForm() + " joined")
                    .contains(friend.id().shortForm() + ": hi there");
            assertThat(chat.isAlive()).isFalse();
        }
    }

    @Test
    void theTutorialShowsTheProgramThatThisTestRuns() throws Exception {
        Path root = Path.of(System.getProperty("crust.repo.root", "../"));
        String doc = Files.readString(root.resolve("docs/tutorial.md"));
        String source = Files.readString(root.resolve("crust-demo/src/test/java/io/crust/demo/peer/tutorial/Chat.java"));

        assertThat(doc).contains("```java\n" + source + "```\n");
    }

    /** What the chat printed, with a wait for a piece of text to appear. */
    private static final class Screen extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ReentrantLock guard = new ReentrantLock();
        private final Condition written = guard.newCondition();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            guard.lock();
            try {
                bytes.write(b, off, len);
                written.signalAll();
            } finally {
                guard.unlock();
            }
        }

        String text() {
            guard.lock();
            try {
                return bytes.toString(UTF_8);
            } finally {
                guard.unlock();
            }
        }

        void awaitText(String text) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            guard.lock();
            try {
                while (!bytes.toString(UTF_8).contains(text)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("the chat did not print '" + text + "'; it printed:\n" + bytes.toString(UTF_8));
                    }
                    written.await(left, TimeUnit.NANOSECONDS);
                }
            } finally {
                guard.unlock();
            }
        }
    }

    private static <T extends CrustEvent> T await(CrustNode node, Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            CrustEvent event;
            try {
                event = node.events().take(Duration.ofNanos(deadline - System.nanoTime()));
            } catch (CrustTimeoutException e) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT);
            }
            if (type.isInstance(event)) {
                return type.cast(event);
            }
        }
    }
}
