package io.crust.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.crust.core.HandshakeException;
import io.crust.core.Identity;
import io.crust.core.frame.FramePipe;
import io.crust.core.handshake.DecryptionException;
import io.crust.core.handshake.HandshakeParams;
import io.crust.core.handshake.SecureChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A hostile peer against the Noise XX handshake and the established {@link SecureChannel}.
 *
 * <ul>
 *   <li>As the dialled side, and as the dialling side, the channel reads handshake messages the
 *       fuzzer wrote: the handshake must fail with {@link HandshakeException} or another
 *       {@link IOException}, never with a runtime exception, and must not succeed (forging a
 *       handshake needs the keys).
 *   <li>On an established channel, frames the fuzzer injects under the real sender must be refused
 *       with {@link DecryptionException} (AEAD) or another IOException, never delivered.
 * </ul>
 */
class HandshakeFuzzTest {
    private static final HandshakeParams PARAMS = HandshakeParams.defaults("fuzz-net");
    private static final Identity ME = Identity.generate();
    private static final int MAX_FRAMES = 4;

    @FuzzTest
    void forgedHandshakeMessagesAreRefusedByTheResponder(FuzzedDataProvider data) {
        List<byte[]> frames = frames(data);
        ScriptedTransport peer = new ScriptedTransport(frames);
        try {
            SecureChannel channel = SecureChannel.respond(peer, ME, PARAMS);
            channel.close();
            throw new AssertionError("a handshake without the peer's keys completed");
        } catch (IOException expected) {
            // HandshakeException or EOF: the documented refusals
        }
        assertThat(peer.bytesWritten()).as("the responder writes at most message 2 and a refusal").isLessThan(4096);
    }

    @FuzzTest
    void forgedHandshakeMessagesAreRefusedByTheInitiator(FuzzedDataProvider data) {
        ScriptedTransport peer = new ScriptedTransport(frames(data));
        try {
            SecureChannel channel = SecureChannel.initiate(peer, ME, null, PARAMS);
            channel.close();
            throw new AssertionError("a handshake without the peer's keys completed");
        } catch (IOException expected) {
            // documented refusal
        }
    }

    @FuzzTest
    void forgedRecordsOnAnEstablishedChannelAreNeverDelivered(byte[] forged) throws Exception {
        FramePipe pipe = FramePipe.create(ScriptedTransport.MAX_FRAME_BYTES);
        Identity responderIdentity = Identity.generate();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SecureChannel> responder = executor.submit(() -> SecureChannel.respond(pipe.b(), responderIdentity, PARAMS));
            SecureChannel initiator = SecureChannel.initiate(pipe.a(), Identity.generate(), responderIdentity.peerId(), PARAMS);
            SecureChannel receiver = responder.get(30, TimeUnit.SECONDS);
            try {
                pipe.a().writeFrame(forged, 0, Math.min(forged.length, ScriptedTransport.MAX_FRAME_BYTES));
                byte[] delivered = receiver.receive();
                throw new AssertionError("a forged record was delivered: " + delivered.length + " bytes");
            } catch (IOException expected) {
                // DecryptionException, ChannelProtocolException: the channel refuses and closes
            } finally {
                initiator.close();
                receiver.close();
            }
        }
    }

    /** Up to four frames, each at most one frame's worth of the input. */
    private static List<byte[]> frames(FuzzedDataProvider data) {
        List<byte[]> frames = new ArrayList<>();
        int count = data.consumeInt(1, MAX_FRAMES);
        for (int i = 0; i < count && data.remainingBytes() > 0; i++) {
            int length = data.consumeInt(0, ScriptedTransport.MAX_FRAME_BYTES);
            frames.add(data.consumeBytes(length));
        }
        return frames;
    }
}
