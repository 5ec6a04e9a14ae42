package io.crust.core.peer;

import io.crust.core.wire.WireMessage;

/**
 * What a {@link PeerConnection} reports to the node that owns it. Called on the connection's reader
 * thread, or, for messages that waited for the connection's turn, on its {@code crust-peer-N-turn}
 * thread; never on both at once for one connection.
 */
public interface ConnectionHandler {
    /**
     * A valid message arrived. May block (for example while the event queue is full): the reader then
     * stops reading, which pushes back on the sender.
     */
    void onMessage(PeerConnection connection, WireMessage message) throws InterruptedException;

    /**
     * Blocks until application messages on this connection may be delivered: while the same peer has
     * an older connection still carrying messages it sent earlier (see docs/connection-group.md).
     */
    void awaitTurn(PeerConnection connection) throws InterruptedException;

    /** True when application messages on this connection may be delivered now (see {@link #awaitTurn}); never blocks. */
    boolean mayDeliverNow(PeerConnection connection);

    /** The remote side retired this connection: the owner moves traffic to another one. */
    void onRemoteRetire(PeerConnection connection);

    /** The connection ended; called exactly once, after its resources are released. */
    void onClosed(PeerConnection connection, CloseCause cause);
}
