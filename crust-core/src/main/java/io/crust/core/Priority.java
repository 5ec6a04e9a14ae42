package io.crust.core;

/** Priority of an outgoing message. */
public enum Priority {
    /**
     * Never dropped: {@link Peer#send(byte[], Priority)} blocks while the connection's send queue is
     * full, and fails with an exception if the connection is lost. Sent before any LOW message.
     */
    HIGH,
    /**
     * May be dropped when stale: a LOW message still queued after {@link CrustConfig#lowPriorityMaxAge()}
     * is discarded, and when the LOW queue is full the oldest LOW message makes room. Suits state that
     * a newer message replaces.
     */
    LOW
}
