package io.crust.udt;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Opens connections between two endpoints for the socket-level tests. */
final class TestConnections {
    private TestConnections() {
    }

    /** {client side, server side} of a new connection, each step bounded by {@code wait}. */
    static UdtConnection[] connect(UdtEndpoint client, UdtEndpoint server, Duration wait) throws Exception {
        CompletableFuture<UdtConnection> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept(wait);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        UdtConnection c = client.connect(server.localAddress(), wait);
        return new UdtConnection[] {c, accepted.get(wait.toSeconds(), TimeUnit.SECONDS)};
    }
}
