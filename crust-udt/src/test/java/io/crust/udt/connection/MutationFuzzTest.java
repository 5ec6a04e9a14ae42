package io.crust.udt.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.DatagramImpairment;
import io.crust.udt.UdtConfig;
import io.crust.udt.packet.AcceptPacket;
import io.crust.udt.packet.AckFrame;
import io.crust.udt.packet.DataHeader;
import io.crust.udt.packet.Frames;
import io.crust.udt.packet.InitialPacket;
import io.crust.udt.packet.MalformedPacketException;
import io.crust.udt.packet.RetryPacket;
import io.crust.udt.packet.VersionPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation fuzzer (no Jazzer needed, a few seconds in CI): real packets recorded from a
 * transfer are bit-flipped, truncated, extended, spliced and overwritten, then fed to every decoder
 * and to established connections. Decoders may only throw {@link MalformedPacketException}; a
 * connection may only answer with a verdict (or end itself for a protocol violation), never throw.
 * Replay a failure with {@code -Dcrust.test.seed=<seed>}.
 */
class MutationFuzzTest {
    private static final int ITERATIONS = 30_000;
    private static final UdtConfig SMALL = UdtConfig.builder()
            .receiveWindowBytes(64 * 1024).sendBufferBytes(64 * 1024).pmtuProbing(false).build();

    @Test
    void mutatedPacketsNeverEscapeTheDecodersOrTheStateMachine() {
        long seed = DatagramImpairment.seedFromSystemProperty();
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> corpus = corpus();
        ConnectionPair pair = new ConnectionPair(SMALL);
        ConnectionState target = freshServer(pair);
        int restarts = 0;
        int malformed = 0;
        ByteBuffer out = ByteBuffer.allocate(UdtConfig.MAX_UDP_PAYLOAD_BYTES);
        byte[] sink = new byte[4096];
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(corpus.get(random.nextInt(corpus.size())), corpus, random);
            ByteBuffer b = ByteBuffer.wrap(input);
            decodeAll(b, seed, input);
            long now = pair.clock.advanceNanos(1000);
            ConnectionState.Verdict verdict;
            try {
                verdict = target.onDatagram(ByteBuffer.wrap(input), now);
                target.onTimers(now);
                target.poll(out, now);
                target.read(sink, 0, sink.length);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ", iteration " + i + ": " + hex(input), e);
            }
            if (verdict == ConnectionState.Verdict.MALFORMED) {
                malformed++;
            }
            if (target.phase() == ConnectionState.Phase.TERMINATED) {
                // A mutation may legitimately break the protocol (e.g. data beyond the window): start over.
                target = freshServer(pair);
                restarts++;
            }
        }
        assertThat(malformed).as("seed %d, %d restarts", seed, restarts).isGreaterThan(ITERATIONS / 10);
    }

    /** An established server-side connection (the handshake itself is the endpoint's and is fuzzed there). */
    private static ConnectionState freshServer(ConnectionPair pair) {
        return ConnectionState.server(SMALL, ConnectionPair.SERVER_ID, ConnectionPair.CLIENT_ID,
                ConnectionPair.CLIENT_ADDRESS, pair.clock.nanoTime(), 90_000);
    }

    private static void decodeAll(ByteBuffer b, long seed, byte[] input) {
        List<Decoder> decoders = List.of(
                InitialPacket::decode, RetryPacket::decode, AcceptPacket::decode, VersionPacket::decode,
                x -> {
                    DataHeader.decode(x);
                    return null;
                },
                x -> {
                    x.position(Math.min(x.limit(), DataHeader.BYTES + 1));
                    return AckFrame.decode(x);
                },
                x -> {
                    x.position(Math.min(x.limit(), DataHeader.BYTES + 1));
                    return Frames.decodeStream(x);
                });
        for (Decoder d : decoders) {
            try {
                d.decode(b.duplicate().position(0));
            } catch (MalformedPacketException expected) {
                // the only way a decoder may refuse
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": decoder threw on " + hex(input), e);
            }
        }
    }

    private interface Decoder {
        Object decode(ByteBuffer b) throws MalformedPacketException;
    }

    /** Packets from a short lossy transfer in both directions, plus every handshake packet type. */
    private static List<byte[]> corpus() {
        ConnectionPair pair = new ConnectionPair(UdtConfig.builder().maxPayloadBytes(1472).build()).impair(
                DatagramImpairment.seeded(11).loss(0.1).delay(Duration.ofMillis(5)).build(),
                DatagramImpairment.seeded(12).loss(0.1).delay(Duration.ofMillis(5)).build());
        pair.handshake();
        byte[] data = new byte[200_000];
        new SplittableRandom(5).nextBytes(data);
        pair.transfer(data, Duration.ofSeconds(60));
        pair.client.close(pair.clock.nanoTime());
        pair.runUntil(() -> pair.client.isFinished(), Duration.ofSeconds(10));
        List<byte[]> corpus = new ArrayList<>();
        for (ConnectionPair.Sent s : pair.sent) {
            corpus.add(s.bytes());
        }
        ByteBuffer b = ByteBuffer.allocate(2000);
        new RetryPacket(1, 42, new byte[16]).encodeTo(b);
        corpus.add(java.util.Arrays.copyOf(b.array(), b.position()));
        b.clear();
        new VersionPacket(42, new byte[] {1, 2}).encodeTo(b);
        corpus.add(java.util.Arrays.copyOf(b.array(), b.position()));
        return corpus;
    }

    private static byte[] mutate(byte[] original, List<byte[]> corpus, SplittableRandom r) {
        byte[] b = original.clone();
        int rounds = 1 + r.nextInt(4);
        for (int k = 0; k < rounds; k++) {
            switch (r.nextInt(6)) {
                case 0 -> { // flip bits
                    if (b.length > 0) {
                        int i = r.nextInt(b.length);
                        b[i] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> { // interesting value into a field-aligned spot
                    if (b.length > 0) {
                        int i = r.nextInt(b.length);
                        byte[] values = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1};
                        for (int j = i; j < Math.min(b.length, i + 1 + r.nextInt(8)); j++) {
                            b[j] = values[r.nextInt(values.length)];
                        }
                    }
                }
                case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
                case 3 -> { // extend with junk
                    int extra = r.nextInt(64);
                    int old = b.length;
                    b = java.util.Arrays.copyOf(b, old + extra);
                    for (int j = old; j < b.length; j++) {
                        b[j] = (byte) r.nextInt(256);
                    }
                }
                case 4 -> { // splice the tail of another packet
                    byte[] other = corpus.get(r.nextInt(corpus.size()));
                    int cut = r.nextInt(b.length + 1);
                    int from = r.nextInt(other.length + 1);
                    byte[] spliced = java.util.Arrays.copyOf(b, cut + other.length - from);
                    System.arraycopy(other, from, spliced, cut, other.length - from);
                    b = spliced;
                }
                default -> { // random 8-byte field (ids, packet numbers, offsets)
                    if (b.length >= 8) {
                        ByteBuffer.wrap(b).putLong(r.nextInt(b.length - 7), r.nextLong());
                    }
                }
            }
        }
        return b;
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b, 0, Math.min(b.length, 200));
    }
}
