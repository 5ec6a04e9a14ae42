package io.crust.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ImpairedDatagramSocketTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void heldBackDatagramArrivesAfterTheOneSentLater() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             ImpairedDatagramSocket sender = new ImpairedDatagramSocket(
                     new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)),
                     DatagramImpairment.seeded(1).reordering(1.0, Duration.ofMillis(300)).build())) {
            receiver.setSoTimeout(10_000);
            sender.send(packet("first", receiver));
            sender.socket().send(packet("second", receiver)); // bypasses the impairment
            assertThat(List.of(receive(receiver), receive(receiver))).containsExactly("second", "first");
        }
    }

    @Test
    void lostDatagramsNeverArriveAndDuplicatesArriveTwice() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             ImpairedDatagramSocket dropAll = new ImpairedDatagramSocket(
                     new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)),
                     DatagramImpairment.seeded(2).loss(1.0).build());
             ImpairedDatagramSocket doubleAll = new ImpairedDatagramSocket(
                     new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)),
                     DatagramImpairment.seeded(3).duplication(1.0).build())) {
            dropAll.send(packet("dropped", receiver));
            doubleAll.send(packet("twice", receiver));
            doubleAll.socket().send(packet("end", receiver));
            receiver.setSoTimeout(10_000);
            List<String> seen = new ArrayList<>();
            while (seen.size() < 3) {
                seen.add(receive(receiver));
            }
            receiver.setSoTimeout(200);
            try {
                seen.add(receive(receiver));
            } catch (SocketTimeoutException expected) {
                // nothing more: the dropped datagram never came
            }
            assertThat(seen).containsExactlyInAnyOrder("twice", "twice", "end");
            assertThat(dropAll.impairment().counts().dropped()).isEqualTo(1);
        }
    }

    @Test
    void closeStopsTheSenderEvenWithDatagramsStillHeldBack() throws Exception {
        ImpairedDatagramSocket socket = new ImpairedDatagramSocket(
                new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)),
                DatagramImpairment.seeded(4).delay(Duration.ofHours(1)).build());
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            socket.send(packet("never", receiver));
        }
        // close() joins the sender thread, so returning at all proves the thread ended.
        assertTimeoutPreemptively(Duration.ofSeconds(30), socket::close);
        assertThat(socket.socket().isClosed()).isTrue();
    }

    private static DatagramPacket packet(String text, DatagramSocket to) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new DatagramPacket(bytes, bytes.length, to.getLocalSocketAddress());
    }

    private static String receive(DatagramSocket socket) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        socket.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }
}
