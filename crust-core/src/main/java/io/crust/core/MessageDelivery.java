package io.crust.core;

/**
 * Where a node hands the application the messages its peers send: each message goes to exactly one
 * place, chosen once for the node by {@link CrustConfig.Builder#messageDelivery(MessageDelivery)}, so a
 * message is never lost between the two nor delivered twice.
 */
public enum MessageDelivery {
    /**
     * Every message arrives as a {@link CrustEvent.MessageReceived} on {@link CrustNode#events()}, in
     * one queue for all peers. Simple for a single consumer loop; a consumer that falls behind slows
     * every peer, because a full event queue stops every connection's reader. {@link Peer#receive}
     * is refused.
     */
    EVENTS,
    /**
     * Each peer's messages wait in that peer's own inbox of {@link CrustConfig#peerInboxMessages()}
     * messages for {@link Peer#receive}; no {@link CrustEvent.MessageReceived} is emitted. When one
     * peer's inbox is full only that peer's connection stops being read, so a slow consumer of one peer
     * never delays another. The other events still arrive on {@link CrustNode#events()}.
     */
    PER_PEER
}
