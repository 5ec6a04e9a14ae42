package io.crust.core.lab;

import io.crust.core.Peer;
import io.crust.core.PeerId;
import io.crust.core.Priority;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A transfer to check byte for byte: numbered messages whose bodies come from a generator seeded by their
 * number, sent at a steady pace so that it lasts long enough for a path to change under it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     magic "STRM" (ASCII)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     index (0 .. count-1)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                             count                             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 body: Random(index) bytes ...                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
final class LabStream {
    private static final int MAGIC = 0x5354524d;
    private static final int HEADER_BYTES = 12;
    private static final int PROGRESS_EVERY = 100;

    private LabStream() {
    }

    static boolean isStream(byte[] message) {
        return message.length >= HEADER_BYTES && ByteBuffer.wrap(message).getInt(0) == MAGIC;
    }

    /** Sends {@code count} messages of {@code bodyBytes} to {@code peer}, one per {@code pace}. */
    static void send(Peer peer, int count, int bodyBytes, Duration pace) {
        try {
            for (int i = 0; i < count; i++) {
                peer.send(message(i, count, bodyBytes), Priority.HIGH);
                Thread.sleep(pace);
            }
            LabPeer.say("STREAM-SENT " + peer.id() + " " + count);
        } catch (Exception e) {
            LabPeer.say("FAILED stream: " + e);
        }
    }

    private static byte[] message(int index, int count, int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        new Random(index).nextBytes(body);
        return ByteBuffer.allocate(HEADER_BYTES + bodyBytes).putInt(MAGIC).putInt(index).putInt(count).put(body).array();
    }

    /** Checks each peer's stream: every message once, in order, each body exact. */
    static final class Receiver {
        private final Consumer<String> out;
        private final Map<PeerId, Integer> next = new HashMap<>();
        private final Map<PeerId, String> broken = new HashMap<>();

        Receiver(Consumer<String> out) {
            this.out = out;
        }

        void onMessage(PeerId from, byte[] message) {
            ByteBuffer b = ByteBuffer.wrap(message);
            int index = b.getInt(4);
            int count = b.getInt(8);
            int expected = next.getOrDefault(from, 0);
            if (index != expected) {
                broken.putIfAbsent(from, "message " + index + " arrived when " + expected + " was due");
            } else if (!Arrays.equals(message, message(index, count, message.length - HEADER_BYTES))) {
                broken.putIfAbsent(from, "message " + index + " differs from what was sent");
            }
            next.put(from, index + 1);
            if ((index + 1) % PROGRESS_EVERY == 0) {
                out.accept("STREAMING " + from + " " + (index + 1));
            }
            if (index + 1 == count) {
                String why = broken.remove(from);
                out.accept("STREAM " + from + " " + count + (why == null ? " ok" : " BROKEN " + why));
                next.remove(from);
            }
        }
    }
}
