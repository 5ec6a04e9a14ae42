package io.crust.core.handshake;

import io.crust.core.frame.FramePipe;

/**
 * Runs one complete in-memory handshake and message exchange, so that every class on the path is
 * initialized before a {@code @NoPinning} test starts: virtual threads that race to initialize a
 * class wait pinned to their carriers, a one-time start-up cost that is not what those tests check.
 */
public final class ClassWarmUp {
    private ClassWarmUp() {
    }

    /** Call from {@code @BeforeAll}. */
    public static void handshakeOnce() throws Exception {
        FramePipe pipe = FramePipe.create(65535);
        try (ChannelPair pair = ChannelPair.connect(pipe.a(), pipe.b(), HandshakeParams.defaults("warm-up"))) {
            pair.initiator().send(new byte[70_000]);
            pair.responder().receive();
        }
    }
}
