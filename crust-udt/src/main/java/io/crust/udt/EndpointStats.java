package io.crust.udt;

/**
 * Counters of one {@link UdtEndpoint} since it was opened.
 *
 * @param datagramsIn datagrams read from the socket
 * @param datagramsInByReaders of those, the datagrams that an application thread waiting for a message
 *     read itself (a platform thread; see docs/udt.md, "Who reads the socket")
 * @param datagramsOut datagrams written to the socket (including raw sends)
 * @param foreignDatagrams datagrams handed to the {@link ForeignDatagramHandler} (or dropped if none)
 * @param droppedMalformed datagrams dropped because they failed to parse or validate
 * @param droppedUnknownConnection datagrams for a connection id this endpoint does not know
 * @param droppedWrongSource datagrams for a known connection that came from another address than its
 *     peer's and that the connection did not take in (only DATA packets of an established connection
 *     are taken from a new address, which the connection may then validate and move to)
 * @param droppedReplayed packets whose packet number had already been received
 * @param droppedQueueFull datagrams dropped because a connection's inbound queue was full
 * @param handshakesRejected connection attempts refused (bad or stale cookie, backlog full, wrong version)
 * @param activeConnections connections currently open
 */
public record EndpointStats(
        long datagramsIn,
        long datagramsInByReaders,
        long datagramsOut,
        long foreignDatagrams,
        long droppedMalformed,
        long droppedUnknownConnection,
        long droppedWrongSource,
        long droppedReplayed,
        long droppedQueueFull,
        long handshakesRejected,
        int activeConnections) {
}
