package io.crust.examples;

import io.crust.core.CrustConfig;
import io.crust.core.MessageDelivery;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChatTest {
    private static final CrustConfig CONFIG = CrustConfig.builder()
            .networkName("chat")
            .bindAddress(InetAddress.getLoopbackAddress())
            .udp(false)
            .messageDelivery(MessageDelivery.PER_PEER)
            .build();

    @Test
    void aLineTypedInOneChatIsPrintedByTheOtherAndBack() throws Exception {
        Keyboard aliceKeys = new Keyboard();
        Keyboard bobKeys = new Keyboard();
        Output aliceScreen = new Output();
        Output bobScreen = new Output();
        Thread alice = Thread.ofVirtual().start(() -> run(CONFIG, null, aliceKeys, aliceScreen));
        String first = aliceScreen.await("\n").lines().findFirst().orElseThrow();
        int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
        Thread bob = Thread.ofVirtual().start(() -> run(CONFIG, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                bobKeys, bobScreen));

        aliceScreen.await(" joined");
        bobScreen.await(" joined");
        bobKeys.type("hello from Bob");
        aliceScreen.await(": hello from Bob");
        aliceKeys.type("hello from Alice");
        bobScreen.await(": hello from Alice");

        bobKeys.close();                                // end of input: Bob's chat closes its node
        bob.join(Output.WAIT);
        aliceScreen.await(" left: ");
        aliceKeys.close();
        alice.join(Output.WAIT);
    }

    private static void run(CrustConfig config, InetSocketAddress friend, Keyboard keys, Output screen) {
        try {
            Chat.chat(config, friend, keys.in, screen.stream);
        } catch (Exception e) {
            screen.stream.println("chat failed: " + e);
        }
    }

    /** Lines typed into a chat. */
    private static final class Keyboard {
        final PipedInputStream in = new PipedInputStream();
        private final PrintStream out;

        Keyboard() throws java.io.IOException {
            out = new PrintStream(new PipedOutputStream(in), true, StandardCharsets.UTF_8);
        }

        void type(String line) {
            out.println(line);
        }

        void close() {
            out.close();
        }
    }
}
