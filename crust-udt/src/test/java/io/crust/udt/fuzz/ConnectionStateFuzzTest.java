package io.crust.udt.fuzz;

import io.crust.testkit.InputBudget;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.crust.udt.UdtConfig;
import io.crust.udt.connection.ConnectionState;
import io.crust.udt.packet.DataHeader;
import java.nio.ByteBuffer;

/**
 * A hostile peer drives one connection's pure state machine ({@link ConnectionState}) with any
 * sequence of datagrams and clock steps. Most datagrams carry a valid DATA header addressed to the
 * connection, so the fuzzer reaches frame handling, reassembly, ACK processing and loss recovery.
 * The state machine must take every datagram (verdicts only, no exception), never buffer more than
 * its receive window, and never emit a datagram larger than its maximum payload.
 */
class ConnectionStateFuzzTest {
    private static final long LOCAL_ID = 0x1111_2222_3333_4444L;
    private static final long PEER_ID = 0x5555_6666_7777_0001L;
    private static final int WINDOW_BYTES = 64 * 1024;
    private static final int MAX_DATAGRAMS = 48;
    private static final UdtConfig CONFIG = UdtConfig.builder()
            .receiveWindowBytes(WINDOW_BYTES)
            .sendBufferBytes(WINDOW_BYTES)
            .maxMessageBytes(WINDOW_BYTES)
            .build();

    @FuzzTest
    void anySequenceOfDatagramsLeavesTheConnectionConsistent(byte[] script) {
        InputBudget.check("ConnectionState", script.length, 8L * WINDOW_BYTES, () -> run(script));
    }

    private static void run(byte[] script) {
        ScriptReader in = new ScriptReader(script);
        boolean client = in.nextBoolean();
        long nowNanos = 1_000_000_000L;
        ConnectionState state = client
                ? ConnectionState.client(CONFIG, LOCAL_ID, in.nextBoolean(), null, nowNanos, 1000)
                : ConnectionState.server(CONFIG, LOCAL_ID, PEER_ID, null, nowNanos, 1000);
        ByteBuffer out = ByteBuffer.allocate(UdtConfig.MAX_UDP_PAYLOAD_BYTES);
        byte[] sink = new byte[4096];
        state.write(new byte[3000], 0, 3000);
        long packetNumber = 500;
        for (int i = 0; i < MAX_DATAGRAMS && in.hasMore(); i++) {
            byte[] body = in.nextBytes(in.nextInt(1600));
            ByteBuffer datagram;
            if (in.nextBoolean()) {
                datagram = ByteBuffer.allocate(DataHeader.BYTES + body.length);
                DataHeader.encode(datagram, LOCAL_ID, in.nextBoolean() ? packetNumber++ : in.nextInt(1 << 20));
                datagram.put(body).flip();
            } else {
                datagram = ByteBuffer.wrap(body);
            }
            ConnectionState.Verdict verdict = state.onDatagram(datagram, nowNanos);
            assertThat(verdict).isNotNull();
            nowNanos += in.nextInt(200) * 1_000_000L;
            state.onTimers(nowNanos);
            for (int sent = 0; sent < 64; sent++) {
                int length = state.poll(out, nowNanos);
                assertThat(length).isBetween(0, UdtConfig.MAX_UDP_PAYLOAD_BYTES);
                if (length == 0) {
                    break;
                }
            }
            assertThat(state.readableBytes()).isBetween(0, WINDOW_BYTES);
            while (state.readableBytes() > 0) {
                state.read(sink, 0, sink.length);
            }
            if (in.nextInt(16) == 0) {
                state.close(nowNanos);
            }
        }
        state.stats();
        state.nextDeadlineNanos();
    }

    /** Reads the fuzz input as a script; past its end every read answers zero or empty. */
    private static final class ScriptReader {
        private final byte[] bytes;
        private int position;

        ScriptReader(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean hasMore() {
            return position < bytes.length;
        }

        boolean nextBoolean() {
            return hasMore() && (bytes[position++] & 1) == 1;
        }

        int nextInt(int bound) {
            if (position + 2 > bytes.length) {
                position = bytes.length;
                return 0;
            }
            int value = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
            position += 2;
            return value % bound;
        }

        byte[] nextBytes(int count) {
            int n = Math.min(count, bytes.length - position);
            byte[] out = java.util.Arrays.copyOfRange(bytes, position, position + n);
            position += n;
            return out;
        }
    }
}
