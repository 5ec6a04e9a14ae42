package io.crust.core.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.wire.WireCodec;
import io.crust.core.wire.WireMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link SendQueue} keeps for a resumption: unacknowledged APP messages, then those still queued. */
class SendQueueResumptionTest {
    private static final WireCodec CODEC = new WireCodec(1 << 20);
    private static final long NOW = 0;

    @Test
    void afterTheCloseItHandsOverWhatThePeerDidNotDeliverInSendingOrderAndOnlyOnce() throws Exception {
        SendQueue queue = new SendQueue(16, Long.MAX_VALUE);
        for (int i = 0; i < 5; i++) {
            queue.putHigh(app(i));
        }
        queue.offerControl(CODEC.encode(new WireMessage.Heartbeat()));
        queue.take(0, NOW); // the heartbeat: not counted
        for (int i = 0; i < 3; i++) {
            queue.take(0, NOW); // APP 0, 1, 2 sent
        }
        assertThat(queue.acknowledge(1)).isTrue();
        queue.putLow(app(5), NOW);
        queue.close(NOW);

        List<byte[]> resend = queue.resendFrom(2).orElseThrow();
        assertThat(resend).extracting(SendQueueResumptionTest::number).containsExactly(2, 3, 4, 5);
        assertThat(queue.resendFrom(2)).as("handed over once").isEmpty();
    }

    @Test
    void aCountBelowTheAcknowledgedOneOrAboveTheSentOneResendsNothing() throws Exception {
        SendQueue queue = new SendQueue(16, Long.MAX_VALUE);
        queue.putHigh(app(0));
        queue.putHigh(app(1));
        queue.take(0, NOW);
        queue.take(0, NOW);
        assertThat(queue.acknowledge(3)).as("more than were sent: a protocol violation").isFalse();
        assertThat(queue.acknowledge(2)).isTrue();
        queue.close(NOW);
        assertThat(queue.resendFrom(1)).isEmpty();
        assertThat(queue.resendFrom(3)).isEmpty();
    }

    @Test
    void pastItsBoundTheQueueStopsKeepingMessagesAndCannotBeResumed() throws Exception {
        SendQueue queue = new SendQueue(SendQueue.MAX_UNACKED_MESSAGES + 8, Long.MAX_VALUE);
        for (int i = 0; i <= SendQueue.MAX_UNACKED_MESSAGES; i++) {
            queue.putHigh(app(i));
            queue.take(0, NOW);
        }
        assertThat(queue.resumable()).isFalse();
        queue.close(NOW);
        assertThat(queue.resendFrom(0)).isEmpty();
    }

    @Test
    void aLowMessageOlderThanItsAgeLimitWhenTheQueueClosesIsDroppedNotResent() throws Exception {
        SendQueue queue = new SendQueue(4, 1_000);
        queue.putLow(app(1), 0);
        queue.putLow(app(2), 900);
        queue.close(1_500);
        assertThat(queue.resendFrom(0).orElseThrow()).extracting(SendQueueResumptionTest::number).containsExactly(2);
        assertThat(queue.lowDropped()).isEqualTo(1);
    }

    @Test
    void resentMessagesGoOutBeforeEverythingQueuedExceptControl() throws Exception {
        SendQueue queue = new SendQueue(4, Long.MAX_VALUE);
        queue.putLow(app(10), NOW);
        queue.putHigh(app(11));
        queue.offerControl(CODEC.encode(new WireMessage.Resume(true, 0)));
        assertThat(queue.prependResent(List.of(app(1), app(2)))).isTrue();
        assertThat(CODEC.decode(queue.take(0, NOW))).isInstanceOf(WireMessage.Resume.class);
        assertThat(List.of(queue.take(0, NOW), queue.take(0, NOW), queue.take(0, NOW), queue.take(0, NOW)))
                .extracting(SendQueueResumptionTest::number).containsExactly(1, 2, 11, 10);
    }

    private static byte[] app(int number) {
        return CODEC.encode(new WireMessage.App(new byte[] {(byte) number}));
    }

    private static int number(byte[] encoded) {
        return encoded[1];
    }
}
