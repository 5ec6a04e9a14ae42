package io.crust.core.handshake;

import io.crust.core.Identity;
import io.crust.core.PeerId;
import io.crust.core.frame.FrameTransport;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs both sides of a handshake at once and returns both channels (or the responder's failure). */
record ChannelPair(SecureChannel initiator, SecureChannel responder) implements AutoCloseable {

    static ChannelPair connect(FrameTransport dialler, FrameTransport acceptor, Identity initiatorIdentity,
            Identity responderIdentity, PeerId expected, HandshakeParams initiatorParams, HandshakeParams responderParams,
            long rekeyInterval) throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<SecureChannel> responder = executor.submit(
                    () -> SecureChannel.respond(acceptor, responderIdentity, responderParams, rekeyInterval));
            SecureChannel initiator = SecureChannel.initiate(dialler, initiatorIdentity, expected, initiatorParams, rekeyInterval);
            try {
                return new ChannelPair(initiator, responder.get(30, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                initiator.close();
                throw (Exception) e.getCause();
            }
        }
    }

    static ChannelPair connect(FrameTransport dialler, FrameTransport acceptor, HandshakeParams params) throws Exception {
        Identity responder = Identity.generate();
        return connect(dialler, acceptor, Identity.generate(), responder, responder.peerId(), params, params,
                SecureChannel.REKEY_INTERVAL_MESSAGES);
    }

    @Override
    public void close() throws Exception {
        initiator.close();
        responder.close();
    }
}
