package io.crust.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.crust.core.Identity;
import io.crust.core.PeerRecord;
import io.crust.core.PeerRecord.Address;
import io.crust.core.PeerRecord.Kind;
import io.crust.core.Transport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two beacons on loopback. Multicast and broadcast would leave loopback, so these tests announce by
 * unicast to 127.0.0.1 (the configurable extra targets); multicast itself is exercised in the NAT lab.
 */
class LanBeaconTest {
    private static final String NETWORK = "lan-test";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static PeerRecord record(Identity identity, long sequence) {
        return PeerRecord.signed(identity, NETWORK, sequence,
                List.of(new Address(Transport.TCP, Kind.HOST, new InetSocketAddress(LOOPBACK, 4000))));
    }

    private static LanBeacon.Config unicastTo(int port) {
        return LanBeacon.Config.defaults(NETWORK).withPort(0).withInterval(Duration.ofMillis(200))
                .withUnicastOnly(LOOPBACK, List.of(new InetSocketAddress(LOOPBACK, port)));
    }

    @Test
    void twoBeaconsFindEachOther() throws Exception {
        Identity a = Identity.generate();
        Identity b = Identity.generate();
        LinkedBlockingQueue<PeerRecord> foundByA = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<PeerRecord> foundByB = new LinkedBlockingQueue<>();
        try (DatagramSocket reserve = new DatagramSocket(0, LOOPBACK)) {
            int portB = reserve.getLocalPort();
            reserve.close();
            try (LanBeacon beaconA = LanBeacon.start(unicastTo(portB), () -> record(a, 1), foundByA::add);
                    LanBeacon beaconB = LanBeacon.start(unicastTo(beaconA.localPort()).withPort(portB), () -> record(b, 1), foundByB::add)) {
                PeerRecord atB = foundByB.poll(30, TimeUnit.SECONDS);
                PeerRecord atA = foundByA.poll(30, TimeUnit.SECONDS);

                assertThat(atB).isEqualTo(record(a, 1));
                assertThat(atA).isEqualTo(record(b, 1));
            }
        }
    }

    @Test
    void aPeerIsReportedOnceWhileItsRecordIsUnchangedAndAgainWhenItChanges() throws Exception {
        Identity a = Identity.generate();
        LinkedBlockingQueue<PeerRecord> found = new LinkedBlockingQueue<>();
        try (LanBeacon listener = LanBeacon.start(unicastTo(9).withInterval(Duration.ofSeconds(60)), () -> record(Identity.generate(), 1), found::add)) {
            AtomicLong sequence = new AtomicLong(1);
            try (LanBeacon announcer = LanBeacon.start(unicastTo(listener.localPort()), () -> record(a, sequence.get()), r -> { })) {
                assertThat(found.poll(30, TimeUnit.SECONDS)).isNotNull();
                // Several announcements of the same record later, nothing new was reported.
                assertThat(found.poll(1, TimeUnit.SECONDS)).isNull();
                sequence.set(2);
                PeerRecord changed = found.poll(30, TimeUnit.SECONDS);
                assertThat(changed).isNotNull();
                assertThat(changed.sequence()).isEqualTo(2);
            }
        }
    }

    @Test
    void closeStopsTheThreadAndReleasesThePort() throws Exception {
        LanBeacon beacon = LanBeacon.start(unicastTo(9), () -> record(Identity.generate(), 1), r -> { });
        int port = beacon.localPort();

        beacon.close();

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("crust-lan-beacon-" + port));
        try (DatagramSocket again = new DatagramSocket(port, LOOPBACK)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void garbageOnTheBeaconPortDoesNotStopTheBeacon() throws Exception {
        Identity a = Identity.generate();
        LinkedBlockingQueue<PeerRecord> found = new LinkedBlockingQueue<>();
        try (LanBeacon listener = LanBeacon.start(unicastTo(9).withInterval(Duration.ofSeconds(60)), () -> record(Identity.generate(), 1), found::add);
                DatagramSocket junk = new DatagramSocket(0, LOOPBACK)) {
            byte[] garbage = new byte[2000];
            for (int i = 0; i < 20; i++) {
                junk.send(new DatagramPacket(garbage, i * 100, new InetSocketAddress(LOOPBACK, listener.localPort())));
            }
            try (LanBeacon announcer = LanBeacon.start(unicastTo(listener.localPort()), () -> record(a, 1), r -> { })) {
                assertThat(found.poll(30, TimeUnit.SECONDS)).isEqualTo(record(a, 1));
            }
        }
    }
}
