package io.crust.nat.punch;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.nat.Candidate;
import io.crust.nat.NatException;
import io.crust.nat.PunchOffer;
import io.crust.nat.stun.StunMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Connectivity checks: authentic ones pass, and no mutation of one is ever accepted. */
class CheckMessagesTest {
    private static final InetSocketAddress ADDRESS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000);
    private final PunchOffer a = PunchOffer.create(List.of(Candidate.host(ADDRESS)), false);
    private final PunchOffer b = PunchOffer.create(List.of(Candidate.host(ADDRESS)), false);
    private final CheckMessages fromA = new CheckMessages(a, b, true);
    private final CheckMessages atB = new CheckMessages(b, a, false);

    @Test
    void aCheckFromThePeerIsAcceptedAndItsAnswerToo() {
        byte[] tx = StunMessage.newTransactionId();
        ByteBuffer check = fromA.check(tx, 1000, true);

        CheckMessages.Incoming in = atB.classify(check);
        ByteBuffer answer = atB.answer(tx, ADDRESS);

        assertThat(in).isInstanceOf(CheckMessages.Request.class);
        assertThat(((CheckMessages.Request) in).useCandidate()).isTrue();
        assertThat(fromA.classify(answer)).isInstanceOf(CheckMessages.Response.class);
    }

    @Test
    void aCheckOfAnotherSessionIsIgnored() {
        PunchOffer stranger = PunchOffer.create(List.of(Candidate.host(ADDRESS)), false);
        CheckMessages fromStranger = new CheckMessages(stranger, b, true);

        assertThat(atB.classify(fromStranger.check(StunMessage.newTransactionId(), 1, false)))
                .isInstanceOf(CheckMessages.Ignored.class);
    }

    @Test
    void noRandomMutationOfACheckOrAnswerIsAccepted() {
        SplittableRandom random = new SplittableRandom(4);
        byte[] tx = StunMessage.newTransactionId();
        byte[] check = bytes(fromA.check(tx, 1000, false));
        byte[] answer = bytes(atB.answer(tx, ADDRESS));
        for (int i = 0; i < 20_000; i++) {
            byte[] original = i % 2 == 0 ? check : answer;
            CheckMessages receiver = i % 2 == 0 ? atB : fromA;
            byte[] mutated = original.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                mutated[random.nextInt(mutated.length)] ^= (byte) (1 + random.nextInt(255));
            }
            byte[] input = random.nextInt(10) == 0
                    ? java.util.Arrays.copyOf(mutated, random.nextInt(mutated.length + 8)) : mutated;
            if (java.util.Arrays.equals(input, original)) {
                continue;
            }

            assertThat(receiver.classify(ByteBuffer.wrap(input))).isInstanceOf(CheckMessages.Ignored.class);
        }
    }

    @Test
    void malformedOffersAreRefusedWithAReason() {
        String good = a.encode();
        List<String> bad = List.of("", "crust-punch/2 x", good.replace("crust-punch/1", "other"),
                good + " H,999.1.1.1,5,1", good + " H,10.0.0.1,70000,1", good + " Z,10.0.0.1,5,1",
                good + " H,example.org,5,1", good + " H,10.0.0.1,5", "crust-punch/1 u p 0 ei",
                "x".repeat(5000));
        for (String line : bad) {
            try {
                PunchOffer.decode(line);
                throw new AssertionError("accepted: " + line);
            } catch (NatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
