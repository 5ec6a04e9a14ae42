package io.crust.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class InMemoryNetworkTest {

    private final ManualClock clock = new ManualClock(0);
    private final InMemoryNetwork network = new InMemoryNetwork(clock);
    private final InMemoryNetwork.Endpoint alice = network.bind(new InetSocketAddress("10.0.0.1", 4000));
    private final InMemoryNetwork.Endpoint bob = network.bind(new InetSocketAddress("10.0.0.2", 5000));

    @Test
    void datagramArrivesOnlyWhenDeliveryIsDriven() {
        alice.send(bytes("hello"), bob.address());
        assertThat(bob.poll()).isNull();
        assertThat(network.deliverDue()).isEqualTo(1);
        InMemoryNetwork.Datagram received = bob.poll();
        assertThat(received.sender()).isEqualTo(alice.address());
        assertThat(received.recipient()).isEqualTo(bob.address());
        assertThat(text(received)).isEqualTo("hello");
    }

    @Test
    void delayedDatagramArrivesExactlyAtItsTime() {
        network.impair(alice.address(), bob.address(),
                DatagramImpairment.seeded(1).delay(Duration.ofMillis(25)).build());
        alice.send(bytes("late"), bob.address());
        assertThat(network.nextDeliveryNanos()).hasValue(25_000_000);
        assertThat(network.advance(Duration.ofNanos(24_999_999))).isZero();
        assertThat(network.advance(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(text(bob.poll())).isEqualTo("late");
    }

    @Test
    void impairmentAppliesToItsDirectionOnly() {
        network.impair(alice.address(), bob.address(), DatagramImpairment.seeded(1).loss(1.0).build());
        alice.send(bytes("lost"), bob.address());
        bob.send(bytes("kept"), alice.address());
        network.deliverDue();
        assertThat(bob.poll()).isNull();
        assertThat(text(alice.poll())).isEqualTo("kept");
    }

    @Test
    void datagramsDueTogetherArriveInSendingOrder() {
        for (int i = 0; i < 10; i++) {
            alice.send(bytes("m" + i), bob.address());
        }
        network.deliverDue();
        assertThat(bob.drain()).extracting(InMemoryNetworkTest::text)
                .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
    }

    @Test
    void heldBackDatagramIsOvertakenByTheNextOne() {
        network.impair(alice.address(), bob.address(), DatagramImpairment.seeded(1)
                .reordering(1.0, Duration.ofMillis(10)).build());
        alice.send(bytes("first"), bob.address());
        network.impair(alice.address(), bob.address(), DatagramImpairment.none());
        alice.send(bytes("second"), bob.address());
        network.advance(Duration.ofMillis(10));
        assertThat(bob.drain()).extracting(InMemoryNetworkTest::text).containsExactly("second", "first");
    }

    @Test
    void sameSeedReplaysTheSameArrivals() {
        assertThat(arrivalsWithSeed(77)).isEqualTo(arrivalsWithSeed(77));
    }

    @Test
    void datagramToUnboundAddressVanishes() {
        alice.send(bytes("nobody"), new InetSocketAddress("10.0.0.9", 1));
        assertThat(network.deliverDue()).isZero();
        assertThat(network.inFlightCount()).isZero();
    }

    @Test
    void closedEndpointFreesItsAddressAndStopsSending() {
        bob.close();
        assertThatThrownBy(() -> bob.send(bytes("x"), alice.address())).isInstanceOf(IllegalStateException.class);
        InMemoryNetwork.Endpoint again = network.bind(bob.address());
        alice.send(bytes("to the new one"), again.address());
        network.deliverDue();
        assertThat(text(again.poll())).isEqualTo("to the new one");
    }

    @Test
    void bindingAnAddressTwiceIsRefused() {
        assertThatThrownBy(() -> network.bind(alice.address())).isInstanceOf(IllegalStateException.class);
    }

    private static List<String> arrivalsWithSeed(long seed) {
        ManualClock clock = new ManualClock(0);
        InMemoryNetwork net = new InMemoryNetwork(clock);
        InMemoryNetwork.Endpoint a = net.bind(new InetSocketAddress("10.0.0.1", 1));
        InMemoryNetwork.Endpoint b = net.bind(new InetSocketAddress("10.0.0.2", 2));
        net.impairAll(DatagramImpairment.seeded(seed).loss(0.2).duplication(0.2)
                .jitter(Duration.ofMillis(5)).build());
        for (int i = 0; i < 200; i++) {
            a.send(bytes("d" + i), b.address());
            net.advance(Duration.ofMillis(1));
        }
        net.advance(Duration.ofMillis(10));
        return b.drain().stream().map(InMemoryNetworkTest::text).toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(InMemoryNetwork.Datagram d) {
        return new String(d.payload(), StandardCharsets.UTF_8);
    }
}
