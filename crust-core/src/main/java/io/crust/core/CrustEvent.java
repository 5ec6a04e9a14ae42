package io.crust.core;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * Something that happened in a {@link CrustNode}, delivered in order by {@link CrustNode#events()}.
 *
 * <p>Queue policy when the application does not drain events: every event except
 * {@link Misbehaviour} waits for room, so a {@link MessageReceived} is never lost: the connection's
 * reader blocks, which in turn stops reading the socket and pushes back on the sender (TCP or crust-udt
 * flow control). With {@link MessageDelivery#EVENTS} that means a consumer that falls behind slows every
 * peer; {@link MessageDelivery#PER_PEER} moves messages to per-peer inboxes ({@link Peer#receive}) so
 * that it slows only the peer whose messages are not read. {@link Misbehaviour} events are dropped when the queue is full (an attacker must not be
 * able to block us by misbehaving); the number dropped is logged.
 */
public sealed interface CrustEvent {

    /**
     * A listener is accepting connections; {@code address} is where to dial it, as
     * {@link CrustNode#tcpAddress()} reports it (never the wildcard).
     *
     * @param transport the listener's transport
     * @param address   where to dial it
     */
    record ListenerStarted(Transport transport, InetSocketAddress address) implements CrustEvent {
    }

    /**
     * A listener could not start, or stopped with an error; the node keeps running without it.
     *
     * @param transport the listener's transport
     * @param address   the address it was bound or meant to be bound to
     * @param reason    what went wrong, for a person
     */
    record ListenerFailed(Transport transport, InetSocketAddress address, String reason) implements CrustEvent {
    }

    /**
     * Bootstrap found its first peer; emitted once, as soon as the first candidate connected, while the
     * remaining candidates are still being tried.
     *
     * @param peers the peers connected by bootstrap so far, at least one
     */
    record BootstrapFinished(List<PeerId> peers) implements CrustEvent {
        /** Copies the list. */
        public BootstrapFinished {
            peers = List.copyOf(peers);
        }
    }

    /**
     * Every bootstrap candidate failed, or there were none.
     *
     * @param reason which of the two, and what was tried, for a person
     */
    record BootstrapFailed(String reason) implements CrustEvent {
    }

    /**
     * A new peer connection is up. The application keeps it, or drops it with {@link Peer#close()}.
     * Emitted once per peer id until that peer is lost.
     *
     * @param peer      the new peer's handle
     * @param route     how the connection was made
     * @param transport the connection's transport
     */
    record PeerConnected(Peer peer, Route route, Transport transport) implements CrustEvent {
        /**
         * Checks that the peer is present.
         *
         * @throws NullPointerException if peer is null
         */
        public PeerConnected {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * A message from {@code peer}, to reply to with {@code peer().send(...)}; messages from one peer
     * arrive in the order they were sent. Emitted only with {@link MessageDelivery#EVENTS}.
     *
     * @param peer    the sender's handle
     * @param message the message's bytes, as the peer sent them
     */
    record MessageReceived(Peer peer, byte[] message) implements CrustEvent {
        /**
         * Checks that the peer is present.
         *
         * @throws NullPointerException if peer is null
         */
        public MessageReceived {
            Objects.requireNonNull(peer, "peer");
        }

        /** {@return the sender's id: {@code peer().id()}} */
        public PeerId from() {
            return peer.id();
        }

        @Override
        public String toString() {
            return "MessageReceived[from=" + peer.id().shortForm() + ", " + message.length + " bytes]";
        }
    }

    /**
     * A connected peer is gone: its heartbeats stopped, its connection failed or it closed, it
     * misbehaved, or it was banned. Not emitted for {@link Peer#close()} or {@link CrustNode#drop}.
     *
     * @param peer   the lost peer's id
     * @param reason why, for a program
     * @param detail why, for a person (for example {@code "no heartbeat for 8012 ms"})
     */
    record PeerLost(PeerId peer, Reason reason, String detail) implements CrustEvent {
        /**
         * Checks that the reason is present.
         *
         * @throws NullPointerException if reason is null
         */
        public PeerLost {
            Objects.requireNonNull(reason, "reason");
        }

        /** Why a peer was lost. */
        public enum Reason {
            /** Nothing arrived for {@link CrustConfig#heartbeatTimeout()}. */
            HEARTBEAT_TIMEOUT,
            /** The peer closed on purpose and said so: it closed us or shut down. */
            GOODBYE,
            /** The connection broke or was closed without a goodbye (a dead process, a failed network). */
            CONNECTION_LOST,
            /** The peer broke a rule; a {@link Misbehaviour} event says which. */
            MISBEHAVED,
            /** A {@link BanRule} added with {@link CrustNode#ban} matched it. */
            BANNED,
            /**
             * Its last connection was retired in favour of a better one that never arrived (see
             * docs/connection-group.md, duplicate settling).
             */
            REPLACEMENT_NEVER_CAME,
            /**
             * The connection limit was reached and this peer, idle and unknown (it dialled us and never
             * carried an application message), made room for a newcomer (docs/reliability.md, F3).
             */
            EVICTED
        }
    }

    /**
     * A remote side broke a rule. {@code peer} is null when it happened before the handshake proved an
     * identity; {@code address} is the remote address (null if unknown).
     *
     * @param peer    the remote peer's id, or null before the handshake proved one
     * @param address the remote address, or null if unknown
     * @param kind    which rule was broken
     * @param detail  what happened, for a person
     */
    record Misbehaviour(PeerId peer, InetSocketAddress address, Kind kind, String detail) implements CrustEvent {
        /** What rule was broken. */
        public enum Kind {
            /** A message failed to authenticate: corrupted or forged traffic. The connection is closed. */
            DECRYPTION_FAILURE,
            /** More messages per second than {@link CrustConfig#messagesPerSecondPerPeer()}. Disconnected. */
            FLOOD,
            /** A frame or message above {@link CrustConfig#maxMessageBytes()}. Disconnected. */
            OVERSIZED_FRAME,
            /** A malformed or unexpected message, or a handshake that broke the protocol. */
            PROTOCOL_VIOLATION,
            /** An inbound handshake did not finish within {@link CrustConfig#handshakeTimeout()}. */
            HANDSHAKE_TIMEOUT,
            /** Refused: too many pending handshakes or connections. */
            LIMIT_EXCEEDED
        }
    }

    /**
     * The connection behind an existing {@link Peer} handle moved to a better path (for example from
     * {@link Route#RELAYED} to a punched one, or from crust-udt to TCP).
     *
     * @param peer      the peer whose connection moved
     * @param fromRoute the route of the connection the traffic left
     * @param toRoute   the route of the connection that carries it now
     * @param transport the transport of the connection that carries it now
     * @param remoteAddress the remote address of the connection that carries it now, as
     *        {@link Peer#remoteAddress()} gives it (for a relayed connection: the relay's)
     */
    record ConnectionUpgraded(PeerId peer, Route fromRoute, Route toRoute, Transport transport,
            InetSocketAddress remoteAddress) implements CrustEvent {
    }
}
