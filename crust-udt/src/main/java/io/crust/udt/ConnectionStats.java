package io.crust.udt;

import java.time.Duration;

/**
 * A snapshot of one {@link UdtConnection}'s transport state.
 *
 * @param smoothedRtt smoothed round-trip time (RFC 6298 / RFC 9002 sec. 5.3)
 * @param minRtt smallest round-trip time observed
 * @param congestionWindowBytes bytes the congestion controller lets be in flight
 * @param bytesInFlight bytes sent and neither acknowledged nor declared lost
 * @param packetsSent datagrams sent by this connection
 * @param packetsReceived datagrams accepted by this connection
 * @param packetsLost packets declared lost (and their data queued again)
 * @param bytesSent application bytes sent for the first time
 * @param bytesRetransmitted application bytes sent again after a loss
 * @param bytesReceived application bytes delivered in order
 * @param payloadBytes the datagram payload size currently used (grows with path MTU probing)
 * @param ptoCount consecutive probe timeouts without an acknowledgement
 * @param threadPasses times the connection's thread has run its loop: it grows with packets and timers,
 *     not while the application waits on a full or empty buffer
 * @param bufferBytes heap held by the send and receive buffers: pages are allocated as traffic first
 *     reaches them (not for the configured window sizes up front) and handed back once the
 *     application has closed the connection and its thread has ended
 * @param pathMigrations times the connection moved to a new, validated peer address (a NAT rebinding)
 * @param pacingRateBytesPerSecond the rate the congestion controller asks the pacer for, in bytes per
 *     second: under BBR its bandwidth estimate times the current pacing gain; 0 when the pacer derives
 *     one from the window and the smoothed RTT (CUBIC, NewReno)
 */
public record ConnectionStats(
        Duration smoothedRtt,
        Duration minRtt,
        long congestionWindowBytes,
        long bytesInFlight,
        long packetsSent,
        long packetsReceived,
        long packetsLost,
        long bytesSent,
        long bytesRetransmitted,
        long bytesReceived,
        int payloadBytes,
        int ptoCount,
        long threadPasses,
        long bufferBytes,
        long pathMigrations,
        long pacingRateBytesPerSecond) {
}
