package io.crust.udt.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.testkit.DatagramImpairment;
import io.crust.testkit.InMemoryNetwork;
import io.crust.udt.UdtConfig;
import io.crust.udt.congestion.CongestionController;
import io.crust.udt.packet.DataFrames;
import io.crust.udt.packet.DataHeader;
import io.crust.udt.packet.Frames;
import io.crust.udt.packet.PacketType;
import io.crust.udt.packet.PathFrames;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Path migration on the manual clock: a NAT in front of the client forgets its mapping and the server
 * follows the client to its new address once the address answers a challenge; spoofed and replayed
 * source addresses move nothing, and nothing sent to an unvalidated address exceeds three times what
 * came from it.
 */
class MigrationTest {
    private static final UdtConfig NO_PROBING = UdtConfig.builder().pmtuProbing(false).build();
    private static final Duration LINK_DELAY = Duration.ofMillis(10);
    /** The client's NAT mapping after the rebinding: same public address, new port. */
    private static final InetSocketAddress NEW_PORT = new InetSocketAddress("10.0.0.1", 4999);
    /** After a rebinding to another public address (a second uplink, say). */
    private static final InetSocketAddress NEW_HOST = new InetSocketAddress("10.0.0.9", 4000);
    /** An address that an attacker writes into a packet's source; nobody there answers. */
    private static final InetSocketAddress VICTIM = new InetSocketAddress("192.0.2.66", 53);

    private static ConnectionPair pair(UdtConfig config) {
        ConnectionPair pair = new ConnectionPair(config);
        pair.network.impairAll(DatagramImpairment.seeded(1).delay(LINK_DELAY).build());
        pair.handshake();
        return pair;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static DataFrames frames(byte[] datagram) {
        ByteBuffer b = ByteBuffer.wrap(datagram);
        try {
            DataHeader.decode(b);
            return DataFrames.decode(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean isChallenge(ConnectionPair.Sent s) {
        return s.type() == PacketType.DATA && frames(s.bytes()).pathChallenge() != 0;
    }

    private static boolean isResponse(ConnectionPair.Sent s) {
        return s.type() == PacketType.DATA && frames(s.bytes()).pathResponse() != 0;
    }

    /**
     * Moves {@code data} from server to client, the client reading all it can each step; runs
     * {@code atOffset} once when the client has read {@code trigger} bytes.
     */
    private static byte[] transferToClient(ConnectionPair pair, byte[] data, int trigger, Runnable atOffset) {
        byte[] received = new byte[data.length];
        int[] written = {0};
        int[] read = {0};
        boolean[] fired = {false};
        boolean done = pair.runUntil(() -> {
            written[0] = ConnectionPair.writeSome(pair.server, data, written[0]);
            read[0] += pair.client.read(received, read[0], received.length - read[0]);
            if (!fired[0] && read[0] >= trigger) {
                fired[0] = true;
                atOffset.run();
            }
            return read[0] == data.length;
        }, Duration.ofSeconds(60));
        assertThat(done).as("transfer incomplete: %d of %d bytes; server %s, failure %s", read[0], data.length,
                pair.server.stats(), pair.server.failure()).isTrue();
        return received;
    }

    @Test
    void aRebindingMovesTheConnectionAfterThePathIsValidated() {
        ConnectionPair pair = pair(NO_PROBING);
        byte[] data = random(2_000_000, 1);
        long[] rebindAt = {0};
        byte[] received = transferToClient(pair, data, 500_000, () -> {
            rebindAt[0] = pair.clock.nanoTime();
            pair.rebindClient(NEW_PORT);
        });

        assertThat(received).isEqualTo(data);
        assertThat(pair.server.peerAddress()).isEqualTo(NEW_PORT);
        assertThat(pair.server.stats().pathMigrations()).isEqualTo(1);
        List<ConnectionPair.Sent> toNew = pair.sent.stream().filter(s -> !s.fromClient() && NEW_PORT.equals(s.to())).toList();
        ConnectionPair.Sent firstChallenge = toNew.getFirst();
        assertThat(isChallenge(firstChallenge)).isTrue();
        // The client echoes it; only after the echo has arrived does anything but a challenge go there.
        long challengeData = frames(firstChallenge.bytes()).pathChallenge();
        ConnectionPair.Sent response = pair.sent.stream().filter(s -> s.fromClient() && isResponse(s)).findFirst().orElseThrow();
        assertThat(frames(response.bytes()).pathResponse()).isEqualTo(challengeData);
        ConnectionPair.Sent firstOther = toNew.stream().filter(s -> !isChallenge(s)).findFirst().orElseThrow();
        assertThat(firstOther.atNanos()).isGreaterThanOrEqualTo(response.atNanos() + LINK_DELAY.toNanos());
        // The packet reaches the server, the challenge the client, the echo the server: three crossings.
        ConnectionPair.Sent firstFromNew = pair.sent.stream().filter(s -> s.fromClient() && s.atNanos() >= rebindAt[0])
                .findFirst().orElseThrow();
        assertThat(firstOther.atNanos() - firstFromNew.atNanos()).isEqualTo(3 * LINK_DELAY.toNanos());
    }

    @Test
    void theMoveResendsWhatWentToTheOldAddressAtOnceInsteadOfWaitingForTheBackedOffProbeTimer() {
        ConnectionPair pair = pair(NO_PROBING);
        long[] rebindAt = {0};
        // The client's NAT forgets its mapping: what the server sends goes to the old one and is lost,
        // and its probe timer backs off until the client speaks up from its new address.
        transferToClient(pair, random(1_000_000, 6), 300_000, () -> {
            rebindAt[0] = pair.clock.nanoTime();
            pair.rebindClient(NEW_PORT);
        });
        ConnectionPair.Sent moved = pair.sent.stream().filter(s -> !s.fromClient() && NEW_PORT.equals(s.to())
                && !isChallenge(s)).findFirst().orElseThrow();
        List<Long> offsetsToOld = pair.sent.stream().filter(s -> !s.fromClient() && s.atNanos() >= rebindAt[0]
                        && ConnectionPair.CLIENT_ADDRESS.equals(s.to()) && s.type() == PacketType.DATA
                        && frames(s.bytes()).stream() != null)
                .map(s -> frames(s.bytes()).stream().offset()).toList();
        List<Long> resentAtTheMove = pair.sent.stream().filter(s -> !s.fromClient() && s.atNanos() == moved.atNanos()
                        && NEW_PORT.equals(s.to()) && s.type() == PacketType.DATA && frames(s.bytes()).stream() != null)
                .map(s -> frames(s.bytes()).stream().offset()).toList();
        assertThat(offsetsToOld).isNotEmpty();
        assertThat(resentAtTheMove).containsAnyElementsOf(offsetsToOld);
    }

    @Test
    void aReceiverWhoseDataStopsComingSpeaksUpSoThatTheSenderFindsItsNewAddress() {
        ConnectionPair pair = pair(NO_PROBING);
        long[] rebindAt = {0};
        // Rebound when nothing is left in flight towards the client: it has nothing to acknowledge,
        // and without its quiet-path PING it would say nothing until its keepalive, 5 s later.
        transferToClient(pair, random(1_000_000, 8), 400_000, () -> {
            pair.drop = s -> !s.fromClient() && ConnectionPair.CLIENT_ADDRESS.equals(s.to());
            pair.runUntil(() -> pair.network.inFlightCount() == 0, Duration.ofSeconds(1));
            rebindAt[0] = pair.clock.nanoTime();
            pair.rebindClient(NEW_PORT);
        });
        ConnectionPair.Sent ping = pair.sent.stream().filter(s -> s.fromClient() && s.atNanos() >= rebindAt[0])
                .findFirst().orElseThrow();
        assertThat(frames(ping.bytes()).ping()).isTrue();
        ConnectionPair.Sent challenge = pair.sent.stream().filter(s -> !s.fromClient() && NEW_PORT.equals(s.to()))
                .findFirst().orElseThrow();
        assertThat(isChallenge(challenge)).isTrue();
        assertThat(challenge.atNanos() - ping.atNanos()).isEqualTo(LINK_DELAY.toNanos());
        assertThat(ping.atNanos() - rebindAt[0]).isLessThan(Duration.ofMillis(500).toNanos());
    }

    @Test
    void aRebindingOfTheSendingSideIsFollowedToo() {
        ConnectionPair pair = pair(NO_PROBING);
        byte[] data = random(1_000_000, 2);
        boolean[] rebound = {false};
        byte[] out = new byte[data.length];
        int[] written = {0};
        int[] read = {0};
        boolean done = pair.runUntil(() -> {
            written[0] = ConnectionPair.writeSome(pair.client, data, written[0]);
            read[0] += pair.server.read(out, read[0], out.length - read[0]);
            if (!rebound[0] && read[0] >= 300_000) {
                rebound[0] = true;
                pair.rebindClient(NEW_PORT);
            }
            return read[0] == data.length;
        }, Duration.ofSeconds(60));
        assertThat(done).isTrue();
        assertThat(out).isEqualTo(data);
        assertThat(pair.server.peerAddress()).isEqualTo(NEW_PORT);
    }

    @Test
    void aNewPortKeepsTheCongestionStateAndANewAddressStartsItAgain() {
        ConnectionPair samePath = pair(NO_PROBING);
        CongestionController[] before = new CongestionController[1];
        transferToClient(samePath, random(600_000, 3), 200_000, () -> {
            before[0] = samePath.server.congestionController();
            samePath.rebindClient(NEW_PORT);
        });
        assertThat(samePath.server.stats().pathMigrations()).isEqualTo(1);
        assertThat(samePath.server.congestionController()).isSameAs(before[0]);

        ConnectionPair newPath = pair(NO_PROBING);
        transferToClient(newPath, random(600_000, 3), 200_000, () -> {
            before[0] = newPath.server.congestionController();
            newPath.rebindClient(NEW_HOST);
        });
        assertThat(newPath.server.stats().pathMigrations()).isEqualTo(1);
        assertThat(newPath.server.peerAddress()).isEqualTo(NEW_HOST);
        assertThat(newPath.server.congestionController()).isNotSameAs(before[0]);
    }

    @Test
    void aSourceAddressRewrittenOnThePathDoesNotMoveTheConnection() {
        ConnectionPair pair = pair(NO_PROBING);
        InMemoryNetwork.Endpoint victim = pair.network.bind(VICTIM);
        List<byte[]> rewritten = new ArrayList<>();
        // An attacker on the path takes one of the client's packets and sends it on from the victim's
        // address; the victim never answers.
        pair.drop = s -> {
            if (rewritten.isEmpty() && s.fromClient() && s.type() == PacketType.DATA
                    && frames(s.bytes()).stream() != null && frames(s.bytes()).stream().offset() > 100_000) {
                rewritten.add(s.bytes());
                victim.send(s.bytes(), ConnectionPair.SERVER_ADDRESS);
                return true;
            }
            return false;
        };
        byte[] data = random(500_000, 4);
        assertThat(pair.transfer(data, Duration.ofSeconds(30))).isEqualTo(data);
        pair.runUntil(() -> false, Duration.ofSeconds(2)); // past any validation's timer

        assertThat(rewritten).hasSize(1);
        assertThat(pair.server.peerAddress()).isEqualTo(ConnectionPair.CLIENT_ADDRESS);
        assertThat(pair.server.candidateAddress()).isNull();
        assertThat(pair.server.stats().pathMigrations()).isZero();
        List<ConnectionPair.Sent> toVictim = pair.sent.stream().filter(s -> VICTIM.equals(s.to())).toList();
        assertThat(toVictim).isNotEmpty().allMatch(MigrationTest::isChallenge);
        long bytes = victim.drain().stream().mapToLong(d -> d.payload().length).sum();
        assertThat(bytes).isPositive().isLessThanOrEqualTo(3L * rewritten.getFirst().length);
    }

    /** A DATA packet to the server's connection: a PING, padded to {@code size}. */
    private static byte[] pingPacket(long packetNumber, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        DataHeader.encode(b, ConnectionPair.SERVER_ID, packetNumber);
        b.put((byte) Frames.PING);
        if (b.hasRemaining()) {
            b.put((byte) Frames.PADDING);
        }
        return b.array();
    }

    /** Polls everything the server sends until {@code until} on the clock, without the client. */
    private static List<ConnectionPair.Sent> runServerAlone(ConnectionPair pair, long untilNanos) {
        List<ConnectionPair.Sent> sent = new ArrayList<>();
        ByteBuffer out = ByteBuffer.allocate(UdtConfig.MAX_UDP_PAYLOAD_BYTES);
        while (true) {
            long now = pair.clock.nanoTime();
            pair.server.onTimers(now);
            int n;
            while ((n = pair.server.poll(out, now)) > 0) {
                sent.add(new ConnectionPair.Sent(now, false, pair.server.destination(),
                        Arrays.copyOf(out.array(), n)));
            }
            long next = pair.server.nextDeadlineNanos();
            if (next > untilNanos) {
                return sent;
            }
            pair.clock.advanceTo(Math.max(next, now + 1_000));
        }
    }

    @Test
    void aSmallPacketFromANewAddressEarnsAChallengeOfAtMostThreeTimesItsSize() {
        ConnectionPair pair = pair(NO_PROBING);
        byte[] ping = pingPacket(1_000_000, 40);
        long now = pair.clock.nanoTime();
        assertThat(pair.server.onDatagram(ByteBuffer.wrap(ping), VICTIM, now)).isEqualTo(ConnectionState.Verdict.ACCEPTED);
        assertThat(pair.server.candidateAddress()).isEqualTo(VICTIM);

        List<ConnectionPair.Sent> toVictim = runServerAlone(pair, now + 2_000_000_000L).stream()
                .filter(s -> VICTIM.equals(s.to())).toList();
        // 120 bytes allowed: one challenge padded to exactly that, and no second one (it would not fit).
        assertThat(toVictim).hasSize(1);
        assertThat(toVictim.getFirst().bytes()).hasSize(3 * 40);
        assertThat(isChallenge(toVictim.getFirst())).isTrue();
        assertThat(pair.server.candidateAddress()).isNull(); // abandoned on its timer
        assertThat(pair.server.peerAddress()).isEqualTo(ConnectionPair.CLIENT_ADDRESS);
    }

    @Test
    void anUnansweredValidationSendsThreeChallengesWithNewDataAndEndsAfterThreeProbeTimeouts() {
        ConnectionPair pair = pair(NO_PROBING);
        long start = pair.clock.nanoTime();
        pair.server.onDatagram(ByteBuffer.wrap(pingPacket(1_000_000, 1200)), VICTIM, start);

        List<ConnectionPair.Sent> challenges = runServerAlone(pair, start + 5_000_000_000L).stream()
                .filter(s -> VICTIM.equals(s.to())).toList();
        assertThat(challenges).hasSize(PathValidator.MAX_CHALLENGES).allMatch(MigrationTest::isChallenge)
                .allSatisfy(s -> assertThat(s.bytes()).hasSize(ConnectionState.CHALLENGE_DATAGRAM_BYTES));
        assertThat(challenges.stream().map(s -> frames(s.bytes()).pathChallenge()).distinct()).hasSize(3);
        // On this 20 ms path the PTO with the initial RTT (100 + 2 x 100 + 5 ms) is the larger: the
        // validation lasts 3 x 305 ms, with a challenge at each third.
        long third = 305_000_000L;
        assertThat(challenges.get(0).atNanos()).isEqualTo(start);
        assertThat(challenges.get(1).atNanos() - start).isEqualTo(third);
        assertThat(challenges.get(2).atNanos() - start).isEqualTo(2 * third);
        assertThat(pair.server.candidateAddress()).isNull();
        assertThat(pair.server.stats().pathMigrations()).isZero();
    }

    @Test
    void aResponseWithTheWrongDataOrFromAnotherAddressMovesNothing() {
        ConnectionPair pair = pair(NO_PROBING);
        long now = pair.clock.nanoTime();
        pair.server.onDatagram(ByteBuffer.wrap(pingPacket(1_000_000, 1200)), VICTIM, now);
        ByteBuffer out = ByteBuffer.allocate(2000);
        pair.server.poll(out, now);
        assertThat(pair.server.destination()).isEqualTo(VICTIM);
        long data = frames(Arrays.copyOf(out.array(), out.position())).pathChallenge();

        assertThat(pair.server.onDatagram(response(1_000_001, data + 1), VICTIM, now)).isEqualTo(ConnectionState.Verdict.ACCEPTED);
        assertThat(pair.server.onDatagram(response(1_000_002, data), NEW_PORT, now)).isEqualTo(ConnectionState.Verdict.ACCEPTED);
        assertThat(pair.server.peerAddress()).isEqualTo(ConnectionPair.CLIENT_ADDRESS);
        assertThat(pair.server.onDatagram(response(1_000_003, data), VICTIM, now)).isEqualTo(ConnectionState.Verdict.ACCEPTED);
        assertThat(pair.server.peerAddress()).isEqualTo(VICTIM); // the control: the right answer from there moves it
    }

    private static ByteBuffer response(long packetNumber, long data) {
        ByteBuffer b = ByteBuffer.allocate(DataHeader.BYTES + PathFrames.BYTES);
        DataHeader.encode(b, ConnectionPair.SERVER_ID, packetNumber);
        PathFrames.encodeResponse(b, data);
        return b.flip();
    }

    @Test
    void aChallengeIsAnsweredOnceWhereItCameFromInAPacketNoLargerThanTheChallenge() {
        ConnectionPair pair = pair(NO_PROBING);
        long now = pair.clock.nanoTime();
        ByteBuffer challenge = ByteBuffer.allocate(DataHeader.BYTES + PathFrames.BYTES);
        DataHeader.encode(challenge, ConnectionPair.SERVER_ID, 1_000_000);
        PathFrames.encodeChallenge(challenge, 0x0123_4567_89AB_CDEFL);
        challenge.flip();
        assertThat(pair.server.onDatagram(challenge, VICTIM, now)).isEqualTo(ConnectionState.Verdict.ACCEPTED);
        // Probing only: the challenge is answered but starts no validation.
        assertThat(pair.server.candidateAddress()).isNull();

        List<ConnectionPair.Sent> sent = runServerAlone(pair, now);
        List<ConnectionPair.Sent> responses = sent.stream().filter(MigrationTest::isResponse).toList();
        assertThat(responses).hasSize(1);
        assertThat(responses.getFirst().to()).isEqualTo(VICTIM);
        assertThat(responses.getFirst().bytes()).hasSize(DataHeader.BYTES + PathFrames.BYTES);
        assertThat(frames(responses.getFirst().bytes()).pathResponse()).isEqualTo(0x0123_4567_89AB_CDEFL);
    }

    @Test
    void aDelayedPacketFromTheOldAddressDoesNotTakeTheConnectionBack() {
        ConnectionPair pair = pair(NO_PROBING);
        List<byte[]> held = new ArrayList<>();
        boolean[] holding = {true};
        pair.drop = s -> {
            if (holding[0] && held.isEmpty() && s.fromClient() && s.type() == PacketType.DATA
                    && frames(s.bytes()).stream() != null) {
                held.add(s.bytes()); // delayed in the old mapping's queue
                return true;
            }
            return false;
        };
        byte[] data = random(300_000, 5);
        byte[] out = new byte[data.length];
        int[] written = {0};
        int[] read = {0};
        assertThat(pair.runUntil(() -> {
            written[0] = ConnectionPair.writeSome(pair.client, data, written[0]);
            read[0] += pair.server.read(out, read[0], out.length - read[0]);
            if (holding[0] && read[0] >= 100_000) {
                holding[0] = false;
                pair.rebindClient(NEW_PORT);
            }
            return pair.server.peerAddress().equals(NEW_PORT);
        }, Duration.ofSeconds(10))).isTrue();

        // The held packet now arrives from the old address: older than what came from the new one.
        long now = pair.clock.nanoTime();
        InMemoryNetwork.Endpoint oldMapping = pair.network.bind(ConnectionPair.CLIENT_ADDRESS);
        oldMapping.send(held.getFirst(), ConnectionPair.SERVER_ADDRESS);
        pair.runUntil(() -> false, Duration.ofMillis(50));
        assertThat(pair.server.candidateAddress()).isNull();
        assertThat(pair.server.peerAddress()).isEqualTo(NEW_PORT);
        assertThat(pair.sent.stream().filter(s -> s.atNanos() >= now && ConnectionPair.CLIENT_ADDRESS.equals(s.to())))
                .isEmpty();
    }
}
