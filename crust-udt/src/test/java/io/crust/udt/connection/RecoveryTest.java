package io.crust.udt.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.DatagramImpairment;
import io.crust.udt.UdtConfig;
import io.crust.udt.packet.AckFrame;
import io.crust.udt.packet.DataFrames;
import io.crust.udt.packet.DataHeader;
import io.crust.udt.packet.Frames;
import io.crust.udt.packet.PacketType;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Loss recovery, ACK policy, flow control and timers, on the manual clock: exact behaviour. */
class RecoveryTest {
    private static final UdtConfig NO_PROBING = UdtConfig.builder().pmtuProbing(false).build();
    private static final Duration LINK_DELAY = Duration.ofMillis(10); // 20 ms round trip

    private static ConnectionPair pairWithDelay(UdtConfig config) {
        DatagramImpairment delay = DatagramImpairment.seeded(1).delay(LINK_DELAY).build();
        return new ConnectionPair(config).impair(delay, DatagramImpairment.seeded(2).delay(LINK_DELAY).build());
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The frames of a sent DATA packet, decoded by the production decoder. */
    private static DataFrames frames(ConnectionPair.Sent s) {
        ByteBuffer b = ByteBuffer.wrap(s.bytes());
        try {
            DataHeader.decode(b);
            return DataFrames.decode(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean isStream(ConnectionPair.Sent s) {
        return s.type() == PacketType.DATA && frames(s).stream() != null;
    }

    private static long streamOffset(ConnectionPair.Sent s) {
        return frames(s).stream().offset();
    }

    @Test
    void handshakeCompletesWhenTheFirstInitialAndAcceptAreLost() {
        ConnectionPair pair = new ConnectionPair(NO_PROBING);
        int[] initials = {0};
        int[] accepts = {0};
        pair.drop = s -> (s.type() == PacketType.INITIAL && initials[0]++ == 0)
                || (s.type() == PacketType.ACCEPT && accepts[0]++ == 0);
        pair.handshake();
        List<ConnectionPair.Sent> sentInitials = pair.sentBy(true, PacketType.INITIAL);
        // The client repeats its INITIAL after 200 ms; the server repeats its lost ACCEPT 200 ms later
        // on its own timer, before the client's next INITIAL (due 400 ms after the second) is needed.
        assertThat(sentInitials).hasSize(2);
        assertThat(sentInitials.get(1).atNanos() - sentInitials.get(0).atNanos()).isEqualTo(200_000_000L);
        assertThat(sentInitials).allSatisfy(s -> assertThat(s.bytes()).hasSizeGreaterThanOrEqualTo(1200));
        List<ConnectionPair.Sent> sentAccepts = pair.sentBy(false, PacketType.ACCEPT);
        assertThat(sentAccepts).hasSize(2);
        assertThat(sentAccepts.get(1).atNanos() - sentAccepts.get(0).atNanos()).isEqualTo(200_000_000L);
        assertThat(sentAccepts.get(0).bytes().length).isLessThan(sentInitials.get(0).bytes().length);
    }

    @Test
    void lostPacketIsRetransmittedOnceThreeLaterPacketsAreAcknowledged() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        long[] dropped = {-1};
        pair.drop = s -> {
            if (dropped[0] < 0 && s.fromClient() && isStream(s) && streamOffset(s) > 5000) {
                dropped[0] = s.packetNumber();
                return true;
            }
            return false;
        };
        byte[] data = random(40_000, 3);
        byte[] received = pair.transfer(data, Duration.ofSeconds(10));
        assertThat(received).isEqualTo(data);
        assertThat(pair.client.stats().packetsLost()).isEqualTo(1);
        long droppedOffset = pair.sent.stream().filter(s -> s.fromClient() && s.type() == PacketType.DATA
                && s.packetNumber() == dropped[0]).map(RecoveryTest::streamOffset).findFirst().orElseThrow();
        List<ConnectionPair.Sent> carriers = pair.sent.stream()
                .filter(s -> s.fromClient() && isStream(s) && streamOffset(s) == droppedOffset).toList();
        assertThat(carriers).hasSize(2); // the original and exactly one retransmission
        assertThat(carriers.get(1).packetNumber()).isGreaterThan(carriers.get(0).packetNumber()); // never reused
        // Fast retransmit: well within one probe timeout, less than two round trips after the loss.
        assertThat(carriers.get(1).atNanos() - carriers.get(0).atNanos()).isLessThan(2 * 2 * LINK_DELAY.toNanos());
        assertThat(pair.client.stats().bytesRetransmitted()).isEqualTo(streamLength(carriers.get(0)));
    }

    /** The frame types of a DATA packet, in order. */
    private static List<Integer> frameTypes(ConnectionPair.Sent s) {
        ByteBuffer b = ByteBuffer.wrap(s.bytes());
        b.position(DataHeader.BYTES);
        List<Integer> types = new java.util.ArrayList<>();
        try {
            while (b.hasRemaining()) {
                int t = b.get() & 0xFF;
                types.add(t);
                switch (t) {
                    case Frames.ACK -> AckFrame.decode(b);
                    case Frames.STREAM -> Frames.decodeStream(b);
                    case Frames.CLOSE -> Frames.decodeClose(b);
                    case Frames.ACK_FREQUENCY -> Frames.decodeAckFrequency(b);
                    case Frames.PADDING -> b.position(b.limit());
                    default -> {
                    }
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return types;
    }

    private static int streamLength(ConnectionPair.Sent s) {
        return frames(s).stream().length();
    }

    @Test
    void unansweredPacketsAreProbedWithExponentialBackoffAndThenDelivered() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        pair.runUntil(() -> false, Duration.ofMillis(100)); // settle the RTT estimate
        long blackoutEnd = pair.clock.nanoTime() + 1_000_000_000L;
        pair.drop = s -> s.fromClient() && s.atNanos() < blackoutEnd;
        long start = pair.clock.nanoTime();
        byte[] data = random(500, 4);
        byte[] received = pair.transfer(data, Duration.ofSeconds(10));
        assertThat(received).isEqualTo(data);
        List<Long> sendTimes = pair.sent.stream()
                .filter(s -> s.fromClient() && s.atNanos() >= start && s.atNanos() < blackoutEnd)
                .map(ConnectionPair.Sent::atNanos).distinct().toList();
        assertThat(sendTimes).as(pair.sent.stream().filter(s -> s.atNanos() >= start - 50_000_000L)
                .map(s -> (s.fromClient() ? "C " : "S ") + (s.atNanos() - start) / 1000 + "us " + s.bytes().length).toList().toString())
                .hasSizeGreaterThanOrEqualTo(4);
        long pto = sendTimes.get(1) - sendTimes.get(0);
        // PTO = srtt + max(4 rttvar, 1 ms) + the max ACK delay the client asked for (1 ms): at least 22 ms.
        assertThat(pto).isBetween(22_000_000L, 80_000_000L);
        assertThat(sendTimes.get(2) - sendTimes.get(1)).isEqualTo(2 * pto);
        assertThat(sendTimes.get(3) - sendTimes.get(2)).isEqualTo(4 * pto);
        // One timeout per probe sent in the blackout, and one more whose probe got through after it.
        assertThat(pair.client.stats().ptoCount()).isEqualTo(sendTimes.size());
        // The first ACK after the blackout resets the backoff.
        assertThat(pair.runUntil(() -> pair.client.stats().ptoCount() == 0, Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void singlePacketIsAcknowledgedAfterTheDelayTheSenderAskedFor() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        pair.runUntil(() -> false, Duration.ofMillis(200));
        int before = pair.sent.size();
        pair.client.write(new byte[100], 0, 100);
        pair.runUntil(() -> false, Duration.ofMillis(100));
        List<ConnectionPair.Sent> after = pair.sent.subList(before, pair.sent.size());
        ConnectionPair.Sent data = after.stream().filter(s -> s.fromClient() && isStream(s)).findFirst().orElseThrow();
        ConnectionPair.Sent ack = after.stream().filter(s -> !s.fromClient() && s.type() == PacketType.DATA)
                .findFirst().orElseThrow();
        // The client asked for min(srtt / 4, 1 ms) in an ACK_FREQUENCY frame: 1 ms on this 20 ms path.
        Frames.AckFrequency asked = pair.sent.stream().filter(s -> s.fromClient() && s.type() == PacketType.DATA
                && s.atNanos() <= data.atNanos()).map(s -> frames(s).ackFrequency()).filter(f -> f != null)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(asked.maxAckDelayMicros()).isEqualTo(1000);
        assertThat(ack.atNanos() - data.atNanos()).isEqualTo(LINK_DELAY.toNanos() + 1_000_000);
    }

    @Test
    void withoutAnAckFrequencyRequestASinglePacketIsAcknowledgedAfterTheDefaultDelay() {
        AckTracker acks = new AckTracker(ConnectionState.MAX_ACK_DELAY_NANOS);
        acks.onPacket(7, true, 1_000);
        assertThat(acks.ackDue(1_000 + ConnectionState.MAX_ACK_DELAY_NANOS - 1)).isFalse();
        assertThat(acks.ackDue(1_000 + ConnectionState.MAX_ACK_DELAY_NANOS)).isTrue();
    }

    @Test
    void ackOnlyPacketsAreNeverAcknowledgedEvenOutOfOrder() {
        AckTracker acks = new AckTracker(ConnectionState.MAX_ACK_DELAY_NANOS);
        acks.onPacket(1, false, 0);
        acks.onPacket(5, false, 0); // a gap, but of packets that ask for nothing
        acks.onPacket(3, false, 0);
        assertThat(acks.hasNewInformation()).isFalse();
        assertThat(acks.ackDue(Long.MAX_VALUE / 2)).isFalse();
        acks.onPacket(6, true, 0);
        assertThat(acks.ackDue(0)).isFalse(); // in order after 5, and one is below the threshold of two
        acks.onPacket(8, true, 0);
        assertThat(acks.ackDue(0)).isTrue(); // out of order: at once
    }

    @Test
    void theReceiverFollowsTheNewestAckFrequencyRequestAndIgnoresAReorderedOlderOne() {
        AckTracker acks = new AckTracker(ConnectionState.MAX_ACK_DELAY_NANOS);
        acks.onAckFrequency(2, 10, 1_000_000);
        acks.onAckFrequency(1, 3, 50_000_000);
        assertThat(acks.threshold()).isEqualTo(10);
        for (int pn = 0; pn < 9; pn++) {
            acks.onPacket(pn, true, 0);
        }
        assertThat(acks.ackDue(999_999)).isFalse();
        acks.onPacket(9, true, 0);
        assertThat(acks.ackDue(0)).isTrue();
    }

    @Test
    void twoPacketsAreAcknowledgedAtOnce() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        pair.runUntil(() -> false, Duration.ofMillis(200));
        int before = pair.sent.size();
        pair.client.write(new byte[2000], 0, 2000); // two packets of 1,200 bytes at most
        pair.runUntil(() -> false, Duration.ofMillis(100));
        List<ConnectionPair.Sent> after = pair.sent.subList(before, pair.sent.size());
        ConnectionPair.Sent second = after.stream().filter(s -> s.fromClient() && isStream(s)).skip(1).findFirst().orElseThrow();
        ConnectionPair.Sent ack = after.stream().filter(s -> !s.fromClient() && s.type() == PacketType.DATA)
                .findFirst().orElseThrow();
        assertThat(ack.atNanos() - second.atNanos()).isEqualTo(LINK_DELAY.toNanos());
    }

    @Test
    void anApplicationWriteHoldsItsPartlyFilledLastPacketOnlyWhileEarlierPacketsAreInFlight() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        pair.runUntil(() -> pair.client.stats().bytesInFlight() == 0, Duration.ofSeconds(1));
        ByteBuffer out = ByteBuffer.allocate(UdtConfig.MAX_UDP_PAYLOAD_BYTES);
        long now = pair.clock.nanoTime();
        // Nothing in flight: a small write goes at once, even when asked to hold partial packets.
        pair.client.write(new byte[100], 0, 100);
        assertThat(pair.client.poll(out, now, true)).isPositive();
        assertThat(frames(out).stream().length()).isEqualTo(100);
        // Now that packet is in flight: 3,000 bytes leave as the full packets they fill, the rest waits...
        pair.client.write(new byte[3000], 0, 3000);
        int streamBytes = 0;
        int length;
        while ((length = pair.client.poll(out, now, true)) > 0) {
            assertThat(length).isEqualTo(pair.client.stats().payloadBytes());
            streamBytes += frames(out).stream().length();
        }
        assertThat(streamBytes).isLessThan(3000);
        // ...until a poll that does not hold (an acknowledgement arriving, a timer) sends it.
        assertThat(pair.client.poll(out, now, false)).isPositive();
        assertThat(streamBytes + frames(out).stream().length()).isEqualTo(3000);
        assertThat(pair.client.poll(out, now, false)).isZero();
    }

    /** The frames of the packet {@code poll} just wrote into {@code out}. */
    private static DataFrames frames(ByteBuffer out) {
        return frames(new ConnectionPair.Sent(0, true, ConnectionPair.SERVER_ADDRESS, java.util.Arrays.copyOf(out.array(), out.position())));
    }

    @Test
    void aCloseSucceedsWhenThePeersLastAcknowledgementsAreLostButItsCloseArrives() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        byte[] data = random(10_000, 3);
        int written = ConnectionPair.writeSome(pair.client, data, 0);
        assertThat(written).isEqualTo(data.length);
        pair.client.close(pair.clock.nanoTime());
        // From now on every ACK-only packet of the server is lost: its end of stream and its CLOSE get through.
        pair.drop = s -> !s.fromClient() && s.type() == PacketType.DATA && frames(s).stream() == null
                && frames(s).closeReason() < 0;
        byte[] received = new byte[data.length];
        int[] read = {0};
        boolean closed = pair.runUntil(() -> {
            read[0] += pair.server.read(received, read[0], received.length - read[0]);
            if (pair.server.atEndOfStream() && pair.server.phase() == ConnectionState.Phase.ESTABLISHED) {
                pair.server.close(pair.clock.nanoTime());
            }
            return pair.client.phase() == ConnectionState.Phase.TERMINATED;
        }, Duration.ofSeconds(30));
        assertThat(closed).isTrue();
        assertThat(received).isEqualTo(data);
        assertThat(pair.client.failure()).isNull();
    }

    @Test
    void duplicatedPacketIsReportedAndChangesNothing() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        pair.client.write(new byte[] {1, 2, 3}, 0, 3);
        pair.runUntil(() -> pair.server.readableBytes() == 3, Duration.ofSeconds(1));
        ConnectionPair.Sent data = pair.sent.stream().filter(s -> s.fromClient() && isStream(s)).findFirst().orElseThrow();
        long now = pair.clock.nanoTime();
        assertThat(pair.server.onDatagram(ByteBuffer.wrap(data.bytes()), now)).isEqualTo(ConnectionState.Verdict.DUPLICATE);
        assertThat(pair.server.readableBytes()).isEqualTo(3);
    }

    @Test
    void senderNeverExceedsTheReceiveWindowAndResumesWhenTheReaderCatchesUp() {
        UdtConfig config = UdtConfig.builder().pmtuProbing(false).receiveWindowBytes(64 * 1024)
                .sendBufferBytes(256 * 1024).build();
        ConnectionPair pair = pairWithDelay(config);
        pair.handshake();
        byte[] data = random(200_000, 5);
        int[] written = {0};
        pair.runUntil(() -> {
            written[0] = ConnectionPair.writeSome(pair.client, data, written[0]);
            return false;
        }, Duration.ofSeconds(2));
        assertThat(pair.server.readableBytes()).isEqualTo(64 * 1024);
        assertThat(pair.client.stats().bytesSent()).isEqualTo(64 * 1024);
        byte[] received = new byte[data.length];
        int[] read = {0};
        boolean done = pair.runUntil(() -> {
            written[0] = ConnectionPair.writeSome(pair.client, data, written[0]);
            read[0] += pair.server.read(received, read[0], received.length - read[0]);
            return read[0] == data.length;
        }, Duration.ofSeconds(10));
        assertThat(done).isTrue();
        assertThat(received).isEqualTo(data);
    }

    @Test
    void silentPeerFailsTheConnectionAfterTheIdleTimeoutWithKeepalivesMeanwhile() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        pair.runUntil(() -> false, Duration.ofMillis(100));
        long silentFrom = pair.clock.nanoTime();
        pair.drop = s -> !s.fromClient();
        pair.runUntil(() -> pair.client.phase() == ConnectionState.Phase.TERMINATED, Duration.ofSeconds(60));
        assertThat(pair.client.failure()).startsWith("idle timeout");
        assertThat(pair.clock.nanoTime() - silentFrom).isBetween(19_000_000_000L, 21_000_000_000L);
        long pings = pair.sent.stream().filter(s -> s.fromClient() && s.atNanos() > silentFrom && s.type() == PacketType.DATA).count();
        assertThat(pings).isGreaterThanOrEqualTo(3); // keepalives every 5 s (and their probes)
    }

    @Test
    void quietConnectionSendsSomethingEachWayAtLeastEveryFiveSecondsAndLittleMore() {
        ConnectionPair pair = pairWithDelay(NO_PROBING);
        pair.handshake();
        pair.runUntil(() -> false, Duration.ofSeconds(1));
        long from = pair.clock.nanoTime();
        pair.runUntil(() -> false, Duration.ofSeconds(21));
        assertThat(pair.client.phase()).isEqualTo(ConnectionState.Phase.ESTABLISHED);
        assertThat(pair.server.phase()).isEqualTo(ConnectionState.Phase.ESTABLISHED);
        for (boolean client : new boolean[] {true, false}) {
            List<Long> times = pair.sent.stream().filter(s -> s.fromClient() == client && s.atNanos() > from
                    && s.type() == PacketType.DATA).map(ConnectionPair.Sent::atNanos).toList();
            // A keepalive PING when nothing was sent for 5 s; the peer's ACK of it counts as traffic too
            // (it refreshes NAT bindings just as well), so one side may ping while the other only answers.
            long previous = from;
            for (long t : times) {
                assertThat(t - previous).isLessThanOrEqualTo(5_000_000_000L + 2 * LINK_DELAY.toNanos());
                previous = t;
            }
            assertThat(times.size()).isBetween(4, 10); // about two packets per 5 s: a PING or the ACK of one
        }
        long pings = pair.sent.stream().filter(s -> s.atNanos() > from && s.type() == PacketType.DATA
                && frameTypes(s).contains(Frames.PING)).count();
        assertThat(pings).isBetween(4L, 8L);
    }

    @Test
    void pathMtuProbingAdoptsTheLargestSizeThePathCarries() {
        ConnectionPair pair = pairWithDelay(UdtConfig.defaults());
        pair.drop = s -> s.bytes().length > 9000; // a jumbo-frame path
        pair.handshake();
        pair.runUntil(() -> false, Duration.ofSeconds(3));
        assertThat(pair.client.stats().payloadBytes()).isEqualTo(8952);
        byte[] data = random(300_000, 6);
        assertThat(pair.transfer(data, Duration.ofSeconds(10))).isEqualTo(data);
        assertThat(pair.sent.stream().filter(s -> s.fromClient() && isStream(s)).mapToInt(s -> s.bytes().length).max())
                .hasValue(8952);
    }

    @Test
    void transferThroughTenPercentLossTwoPercentDuplicationAndReorderingIsByteExact() throws Exception {
        long seed = DatagramImpairment.seedFromSystemProperty();
        DatagramImpairment forward = DatagramImpairment.seeded(seed).loss(0.10).duplication(0.02)
                .reordering(0.05, Duration.ofMillis(3)).delay(LINK_DELAY).jitter(Duration.ofMillis(2)).build();
        DatagramImpairment backward = DatagramImpairment.seeded(seed + 1).loss(0.10).duplication(0.02)
                .reordering(0.05, Duration.ofMillis(3)).delay(LINK_DELAY).build();
        // Datagrams of at most 1,472 bytes, as on an Ethernet path: thousands of them, so that every
        // impairment happens many times whatever the seed (with probing up to 64 KiB the whole
        // transfer took about fifty datagrams, and some seeds duplicated none of them).
        ConnectionPair pair = new ConnectionPair(UdtConfig.builder().maxPayloadBytes(1472).build())
                .impair(forward, backward);
        pair.handshake();
        byte[] data = random(3 * 1024 * 1024, seed);
        byte[] received = pair.transfer(data, Duration.ofMinutes(5));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(received)).as("seed %d, %s", seed, forward).isEqualTo(sha.digest(data));
        assertThat(pair.client.stats().packetsLost()).isPositive();
        assertThat(forward.counts().duplicated()).isPositive();
    }

    @Test
    void cubicWindowDoesNotGrowWhileTheApplicationSendsLittle() {
        // RFC 9002 sec. 7.8 for a loss-based controller; BBR's counterpart (application-limited rate
        // samples do not raise its bandwidth estimate) is in BbrTest and DeliveryRateSamplerTest.
        ConnectionPair pair = pairWithDelay(UdtConfig.builder().pmtuProbing(false)
                .congestionControl(UdtConfig.CongestionControl.CUBIC).build());
        pair.handshake();
        for (int i = 0; i < 50; i++) {
            pair.client.write(new byte[100], 0, 100);
            pair.runUntil(() -> false, Duration.ofMillis(30));
        }
        assertThat(pair.client.stats().bytesSent()).isEqualTo(5000);
        assertThat(pair.client.stats().congestionWindowBytes()).isEqualTo(10 * 1200); // the initial window
    }

    @Test
    void bbrBandwidthEstimateStaysBelowWhatTheApplicationOffersWhenItSendsLittle() {
        ConnectionPair pair = pairWithDelay(NO_PROBING); // BBR: the default
        pair.handshake();
        for (int i = 0; i < 50; i++) {
            pair.client.write(new byte[100], 0, 100); // 100 bytes per 30 ms: about 27 kbit/s
            pair.runUntil(() -> false, Duration.ofMillis(30));
        }
        assertThat(pair.client.stats().bytesSent()).isEqualTo(5000);
        io.crust.udt.congestion.Bbr bbr = (io.crust.udt.congestion.Bbr) pair.client.congestionController();
        // Application-limited samples may only raise the estimate up to what they measured, which is
        // the application's own rate, not the path's.
        assertThat(bbr.bandwidthBytesPerSecond() * 8).isLessThan(100_000);
    }
}
