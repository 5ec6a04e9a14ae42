package io.crust.core.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.core.Identity;
import io.crust.core.frame.FramePipe;
import io.crust.core.frame.TcpFrameTransport;
import java.io.EOFException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.crust.testkit.NoPinning;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@NoPinning
class SecureChannelTest {
    @BeforeAll
    static void initializeClasses() throws Exception {
        ClassWarmUp.handshakeOnce();
    }

    private static final HandshakeParams PARAMS = HandshakeParams.defaults("test-net");

    @Test
    void bothSidesLearnEachOthersIdentityAndAgreeOnTheHandshakeHash() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        Identity alice = Identity.generate();
        Identity bob = Identity.generate();
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), alice, bob, bob.peerId(), PARAMS, PARAMS,
                SecureChannel.REKEY_INTERVAL_MESSAGES)) {
            assertThat(pair.initiator().remotePeer()).isEqualTo(bob.peerId());
            assertThat(pair.responder().remotePeer()).isEqualTo(alice.peerId());
            assertThat(pair.initiator().handshakeHash()).hasSize(32).isEqualTo(pair.responder().handshakeHash());
        }
    }

    @Test
    void messagesFlowBothWaysInOrder() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), PARAMS)) {
            for (int i = 0; i < 50; i++) {
                pair.initiator().send(("ping " + i).getBytes());
                assertThat(new String(pair.responder().receive())).isEqualTo("ping " + i);
                pair.responder().send(("pong " + i).getBytes());
                assertThat(new String(pair.initiator().receive())).isEqualTo("pong " + i);
            }
            pair.initiator().send(new byte[0]);
            assertThat(pair.responder().receive()).isEmpty();
        }
    }

    @Test
    void largeMessagesAreSplitIntoFramesAndReassembled() throws Exception {
        for (int frameBytes : new int[] {SecureChannel.MIN_FRAME_BYTES, 1400, 65535}) {
            FramePipe pipe = FramePipe.create(frameBytes);
            List<Integer> frameSizes = new ArrayList<>();
            pipe.a().tamperOutgoing(frame -> {
                frameSizes.add(frame.length);
                return frame;
            });
            try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), PARAMS)) {
                frameSizes.clear();
                byte[] message = randomBytes(300_000, frameBytes);
                pair.initiator().send(message);
                assertThat(pair.responder().receive()).isEqualTo(message);
                assertThat(frameSizes).hasSizeGreaterThan(300_000 / frameBytes).allMatch(size -> size <= frameBytes);
                // exactly full chunks: a message of one frame's capacity takes one frame
                frameSizes.clear();
                byte[] exact = randomBytes(frameBytes - 16 - ChannelRecords.DATA_FIRST_HEADER_BYTES, 7);
                pair.initiator().send(exact);
                assertThat(pair.responder().receive()).isEqualTo(exact);
                assertThat(frameSizes).containsExactly(frameBytes);
            }
        }
    }

    @Test
    void senderRefusesAMessageOverTheLimit() throws Exception {
        HandshakeParams small = new HandshakeParams("test-net", 1, Duration.ofSeconds(10), 1000);
        FramePipe pipe = FramePipe.create(65535);
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), small)) {
            assertThatThrownBy(() -> pair.initiator().send(new byte[1001]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000");
            assertThat(pair.initiator().isOpen()).isTrue();
        }
    }

    @Test
    void receiverRefusesAnAnnouncedMessageOverItsLimitBeforeReadingIt() throws Exception {
        HandshakeParams big = new HandshakeParams("test-net", 1, Duration.ofSeconds(10), 4 << 20);
        HandshakeParams small = new HandshakeParams("test-net", 1, Duration.ofSeconds(10), 1 << 20);
        FramePipe pipe = FramePipe.create(65535);
        Identity bob = Identity.generate();
        List<Integer> frames = new ArrayList<>();
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), Identity.generate(), bob, bob.peerId(), big, small,
                SecureChannel.REKEY_INTERVAL_MESSAGES)) {
            pipe.a().tamperOutgoing(frame -> {
                frames.add(frame.length);
                return frames.size() == 1 ? frame : null; // deliver only the first chunk
            });
            pair.initiator().send(new byte[3 << 20]);
            assertThatThrownBy(() -> pair.responder().receive())
                    .isInstanceOf(MessageTooLargeException.class).hasMessageContaining(String.valueOf(3 << 20));
            assertThat(pair.responder().isOpen()).isFalse();
        }
    }

    @Test
    void tamperedCiphertextIsADecryptionFailureThatClosesTheChannel() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), PARAMS)) {
            pair.initiator().send("intact".getBytes());
            assertThat(pair.responder().receive()).isEqualTo("intact".getBytes());
            pipe.a().tamperOutgoing(frame -> {
                frame[frame.length / 2] ^= 0x20;
                return frame;
            });
            pair.initiator().send("tampered".getBytes());
            assertThatThrownBy(() -> pair.responder().receive()).isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("failed authentication");
            assertThat(pair.responder().isOpen()).isFalse();
        }
    }

    @Test
    void aReplayedFrameIsADecryptionFailure() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        List<byte[]> sent = new ArrayList<>();
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), PARAMS)) {
            pipe.a().tamperOutgoing(frame -> {
                sent.add(frame.clone());
                return sent.size() == 2 ? sent.get(0) : frame; // the second frame is a copy of the first
            });
            pair.initiator().send("one".getBytes());
            pair.initiator().send("two".getBytes());
            assertThat(pair.responder().receive()).isEqualTo("one".getBytes());
            assertThatThrownBy(() -> pair.responder().receive()).isInstanceOf(DecryptionException.class);
        }
    }

    @Test
    void bothDirectionsKeepWorkingAcrossManyRekeys() throws Exception {
        FramePipe pipe = FramePipe.create(2000);
        Identity bob = Identity.generate();
        List<byte[]> frames = new ArrayList<>();
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), Identity.generate(), bob, bob.peerId(), PARAMS,
                PARAMS, 3)) {
            pipe.a().tamperOutgoing(frame -> {
                frames.add(frame.clone());
                return frame;
            });
            for (int i = 0; i < 40; i++) {
                byte[] message = randomBytes(i * 97, i);
                pair.initiator().send(message);
                assertThat(pair.responder().receive()).isEqualTo(message);
                pair.responder().send(message);
                assertThat(pair.initiator().receive()).isEqualTo(message);
            }
        }
        assertThat(frames).hasSizeGreaterThan(40);
    }

    @Test
    void oneReaderAndSeveralWritersShareAChannel() throws Exception {
        FramePipe pipe = FramePipe.create(1400);
        int writers = 4;
        int perWriter = 150;
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), PARAMS);
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sends = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                sends.add(executor.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        // some messages span several frames, so interleaving would corrupt them
                        ByteBuffer message = ByteBuffer.allocate(8 + (i % 5) * 1000).putInt(writer).putInt(i);
                        pair.initiator().send(message.array());
                    }
                    return null;
                }));
            }
            Set<Long> seen = new HashSet<>();
            int[] next = new int[writers];
            for (int n = 0; n < writers * perWriter; n++) {
                ByteBuffer message = ByteBuffer.wrap(pair.responder().receive());
                int writer = message.getInt();
                int index = message.getInt();
                assertThat(index).as("order of writer " + writer).isEqualTo(next[writer]++);
                seen.add(((long) writer << 32) | index);
            }
            for (Future<?> send : sends) {
                send.get(30, TimeUnit.SECONDS);
            }
            assertThat(seen).hasSize(writers * perWriter);
        }
    }

    @Test
    void closingOneSideEndsTheOthersReceiveWithEof() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), PARAMS)) {
            pair.initiator().close();
            assertThatThrownBy(() -> pair.responder().receive()).isInstanceOf(EOFException.class);
            assertThatThrownBy(() -> pair.initiator().send(new byte[1])).hasMessageContaining("closed");
        }
    }

    @Test
    void closeUnblocksAReceiveInAnotherThread() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), PARAMS);
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<byte[]> blocked = executor.submit(() -> pair.responder().receive());
            pair.responder().close();
            assertThatThrownBy(() -> blocked.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void channelWorksOverTcpOnLoopback() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
                ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Socket> accepted = executor.submit(server::accept);
            Socket dialled = new Socket(loopback, server.getLocalPort());
            TcpFrameTransport dialler = new TcpFrameTransport(dialled, TcpFrameTransport.MAX_FRAME_BYTES);
            TcpFrameTransport acceptor = new TcpFrameTransport(accepted.get(30, TimeUnit.SECONDS), TcpFrameTransport.MAX_FRAME_BYTES);
            try (ChannelPair pair = ChannelPair.connect(dialler, acceptor, PARAMS)) {
                byte[] big = randomBytes(1_000_000, 3);
                Future<?> send = executor.submit(() -> {
                    pair.initiator().send(big);
                    pair.initiator().send("after".getBytes());
                    return null;
                });
                assertThat(pair.responder().receive()).isEqualTo(big);
                assertThat(pair.responder().receive()).isEqualTo("after".getBytes());
                send.get(30, TimeUnit.SECONDS);
                pair.responder().send("reply".getBytes());
                assertThat(pair.initiator().receive()).isEqualTo("reply".getBytes());
                assertThat(pair.initiator().remoteAddress().getPort()).isEqualTo(server.getLocalPort());
            }
        }
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
