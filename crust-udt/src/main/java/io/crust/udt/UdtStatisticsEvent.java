package io.crust.udt;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A periodic JDK Flight Recorder sample of every open {@link UdtConnection}'s {@link ConnectionStats}
 * (every second by default; a recording may set another {@code period}). Costs nothing unless a
 * recording enables it: the connections are only counted here, weakly, and sampled by JFR's own
 * periodic thread.
 */
@Name("io.crust.udt.Statistics")
@Label("crust-udt Statistics")
@Category({"Crust", "crust-udt"})
@Description("Round-trip time, congestion window, loss and byte counters of one crust-udt connection")
@StackTrace(false)
@Period("1 s")
final class UdtStatisticsEvent extends jdk.jfr.Event {
    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Open connections; weak, so a connection dropped without close is not kept alive by the sampling. */
    private static final Set<UdtConnection> OPEN = Collections.newSetFromMap(new WeakHashMap<>());

    static {
        FlightRecorder.addPeriodicEvent(UdtStatisticsEvent.class, UdtStatisticsEvent::sample);
    }

    @Label("Local Address")
    String localAddress;

    @Label("Remote Address")
    String remoteAddress;

    @Label("Smoothed RTT")
    @Timespan(Timespan.NANOSECONDS)
    long smoothedRtt;

    @Label("Minimum RTT")
    @Timespan(Timespan.NANOSECONDS)
    long minRtt;

    @Label("Congestion Window")
    @DataAmount
    long congestionWindow;

    @Label("Bytes In Flight")
    @DataAmount
    long bytesInFlight;

    @Label("Packets Sent")
    long packetsSent;

    @Label("Packets Received")
    long packetsReceived;

    @Label("Packets Lost")
    long packetsLost;

    @Label("Bytes Sent")
    @DataAmount
    long bytesSent;

    @Label("Bytes Retransmitted")
    @DataAmount
    long bytesRetransmitted;

    @Label("Bytes Received")
    @DataAmount
    long bytesReceived;

    @Label("Payload Size")
    @DataAmount
    int payloadBytes;

    @Label("Pacing Rate")
    @Description("The rate the congestion controller asks the pacer for: under BBR its bandwidth estimate times the pacing gain; 0 under CUBIC and NewReno")
    @DataAmount(DataAmount.BYTES)
    @Frequency
    long pacingRate;

    static void opened(UdtConnection connection) {
        LOCK.lock();
        try {
            OPEN.add(connection);
        } finally {
            LOCK.unlock();
        }
    }

    static void closed(UdtConnection connection) {
        LOCK.lock();
        try {
            OPEN.remove(connection);
        } finally {
            LOCK.unlock();
        }
    }

    private static void sample() {
        List<UdtConnection> open;
        LOCK.lock();
        try {
            open = List.copyOf(OPEN);
        } finally {
            LOCK.unlock();
        }
        for (UdtConnection c : open) {
            ConnectionStats s = c.stats();
            UdtStatisticsEvent e = new UdtStatisticsEvent();
            e.localAddress = String.valueOf(c.localAddress());
            e.remoteAddress = String.valueOf(c.remoteAddress());
            e.smoothedRtt = s.smoothedRtt().toNanos();
            e.minRtt = s.minRtt().toNanos();
            e.congestionWindow = s.congestionWindowBytes();
            e.bytesInFlight = s.bytesInFlight();
            e.packetsSent = s.packetsSent();
            e.packetsReceived = s.packetsReceived();
            e.packetsLost = s.packetsLost();
            e.bytesSent = s.bytesSent();
            e.bytesRetransmitted = s.bytesRetransmitted();
            e.bytesReceived = s.bytesReceived();
            e.payloadBytes = s.payloadBytes();
            e.pacingRate = s.pacingRateBytesPerSecond();
            e.commit();
        }
    }
}
