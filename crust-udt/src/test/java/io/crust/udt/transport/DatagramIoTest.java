package io.crust.udt.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.crust.udt.UdtConfig;
import io.crust.udt.UdtEndpoint;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Both datagram paths behave alike. The default test run has no native access, so it checks the JDK
 * path; the {@code fast-path} surefire execution runs these tests again with
 * {@code --enable-native-access} and {@code -Dcrust.udt.expectFastPath=true}, which makes the first
 * test insist on the Linux path, so that run cannot silently test the JDK path twice.
 */
class DatagramIoTest {
    private static final boolean EXPECT_FAST_PATH = Boolean.getBoolean("crust.udt.expectFastPath");
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void theEndpointUsesTheFastPathExactlyWhenNativeAccessIsGrantedOnLinux() throws Exception {
        // The JDK also counts a module as granted once it has warned about one of its restricted calls
        // (a library in the same unnamed module may have made one), so the default run checks that the
        // choice follows the grant, and the fast-path run that the grant is there.
        boolean granted = Runtime.version().feature() >= 22 // Module.isNativeAccessEnabled, JDK 22+
                && (boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(UdtEndpoint.class.getModule());
        if (EXPECT_FAST_PATH) {
            assertThat(granted).isTrue();
        }
        boolean available = granted && Runtime.version().feature() >= 22
                && System.getProperty("os.name").equals("Linux");
        try (UdtEndpoint endpoint = UdtEndpoint.bind(LOOPBACK, UdtConfig.defaults())) {
            assertThat(endpoint.datagramPath()).isEqualTo(available ? "linux-gso" : "jdk");
        }
        try (UdtEndpoint endpoint = UdtEndpoint.bind(LOOPBACK, UdtConfig.builder().fastPath(false).build())) {
            assertThat(endpoint.datagramPath()).isEqualTo("jdk");
        }
    }

    @Test
    void anEndpointsSocketRefusesToSendToABroadcastAddress() throws Exception {
        // A DatagramSocket turns SO_BROADCAST on by itself; the endpoint turns it off again.
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        InetAddress loopbackBroadcast = InetAddress.getByAddress(new byte[] {127, (byte) 255, (byte) 255, (byte) 255});
        try (UdtEndpoint endpoint = UdtEndpoint.bind(new InetSocketAddress(loopback, 0), UdtConfig.defaults())) {
            assertThatThrownBy(() -> endpoint.sendRaw(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(loopbackBroadcast, 9)))
                    .isInstanceOf(java.io.IOException.class);
            endpoint.sendRaw(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(loopback, 9)); // unicast still goes
        }
    }

    @Test
    void segmentsSentInOneCallArriveAsSeparateDatagramsWithTheirBytesAndSource() throws Exception {
        try (DatagramChannel a = DatagramChannel.open().bind(LOOPBACK);
             DatagramChannel b = DatagramChannel.open().bind(LOOPBACK)) {
            DatagramIo sender = DatagramIo.open(a, 2048, true);
            DatagramIo receiver = DatagramIo.open(b, 2048, true);
            ByteBuffer segments = ByteBuffer.allocateDirect(5 * 1000 + 300);
            for (int i = 0; i < segments.capacity(); i++) {
                segments.put((byte) (i / 1000 + 1)); // datagram k is filled with k + 1
            }
            segments.flip();
            sender.sendSegments(segments, 1000, (InetSocketAddress) b.getLocalAddress());
            assertThat(segments.hasRemaining()).isFalse();

            List<byte[]> received = new ArrayList<>();
            ReceivedBatch batch = new ReceivedBatch(receiver, 2048);
            while (received.size() < 6) {
                int n = receiver.receive(batch);
                for (int i = 0; i < n; i++) {
                    byte[] bytes = new byte[batch.datagrams[i].remaining()];
                    batch.datagrams[i].get(bytes);
                    received.add(bytes);
                    assertThat(batch.sources[i]).isEqualTo(a.getLocalAddress());
                }
            }
            assertThat(received).extracting(bytes -> bytes.length).containsExactly(1000, 1000, 1000, 1000, 1000, 300);
            for (int k = 0; k < 6; k++) {
                byte expected = (byte) (k + 1);
                assertThat(received.get(k)).containsOnly(expected);
            }
        }
    }

    @Test
    void segmentsSentInOneCallToFullSizeBuffersArriveJoinedOnTheFastPathAndSplitBackIntoTheSameDatagrams() throws Exception {
        int fullSize = UdtConfig.MAX_UDP_PAYLOAD_BYTES + 1; // what an endpoint asks for: joined receive on
        try (DatagramChannel a = DatagramChannel.open().bind(LOOPBACK);
             DatagramChannel b = DatagramChannel.open().bind(LOOPBACK)) {
            DatagramIo sender = DatagramIo.open(a, 2048, true);
            DatagramIo receiver = DatagramIo.open(b, fullSize, true);
            ByteBuffer segments = ByteBuffer.allocateDirect(5 * 1000 + 300);
            for (int i = 0; i < segments.capacity(); i++) {
                segments.put((byte) (i / 1000 + 1));
            }
            segments.flip();
            sender.sendSegments(segments, 1000, (InetSocketAddress) b.getLocalAddress());

            List<byte[]> received = new ArrayList<>();
            int joined = 0;
            ReceivedBatch batch = new ReceivedBatch(receiver, fullSize);
            while (received.size() < 6) {
                int n = receiver.receive(batch);
                for (int i = 0; i < n; i++) {
                    ByteBuffer buffer = batch.datagrams[i];
                    int segment = batch.segmentBytes[i] == 0 ? buffer.remaining() : batch.segmentBytes[i];
                    joined += batch.segmentBytes[i] == 0 ? 0 : 1;
                    for (int at = 0; at < buffer.limit(); at += segment) {
                        byte[] bytes = new byte[Math.min(segment, buffer.limit() - at)];
                        buffer.get(at, bytes);
                        received.add(bytes);
                    }
                }
            }
            assertThat(received).extracting(bytes -> bytes.length).containsExactly(1000, 1000, 1000, 1000, 1000, 300);
            for (int k = 0; k < 6; k++) {
                assertThat(received.get(k)).containsOnly((byte) (k + 1));
            }
            if (EXPECT_FAST_PATH) {
                assertThat(joined).as("buffers the kernel joined (UDP_GRO)").isPositive();
            }
        }
    }

    @Test
    void aDatagramLargerThanTheBufferArrivesAtTheBuffersFullLengthSoTheEndpointRejectsIt() throws Exception {
        try (DatagramChannel a = DatagramChannel.open().bind(LOOPBACK);
             DatagramChannel b = DatagramChannel.open().bind(LOOPBACK)) {
            DatagramIo receiver = DatagramIo.open(b, 101, true);
            a.send(ByteBuffer.allocate(500), b.getLocalAddress());
            ReceivedBatch batch = new ReceivedBatch(receiver, 101);
            assertThat(receiver.receive(batch)).isEqualTo(1);
            assertThat(batch.datagrams[0].remaining()).isEqualTo(101); // one more than the endpoint's maximum
        }
    }

    @Test
    void onTheSocketPathAReceiveTimesOutWithNothingAndClosingTheSocketEndsABlockedReceiveAsClosed() throws Exception {
        DatagramSocket socket = new DatagramSocket(LOOPBACK);
        DatagramIo io = DatagramIo.open(socket, 2048, false);
        assertThat(io.name()).isEqualTo("jdk");
        assertThat(io.readerMayLead()).isTrue();
        long start = System.nanoTime();
        assertThat(io.receiveOrTimeout(new ReceivedBatch(io, 2048))).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));

        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread receiver = receiveInBackground(io, ended);
        socket.close();
        assertThat(ended.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        receiver.join(Duration.ofSeconds(1));
        assertThatThrownBy(() -> io.send(ByteBuffer.allocate(1), (InetSocketAddress) LOOPBACK))
                .isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void onTheSocketPathADatagramArrivesWithItsBytesAndSourceAndAnOversizedOneIsCutToTheBuffer() throws Exception {
        try (DatagramSocket a = new DatagramSocket(LOOPBACK); DatagramSocket b = new DatagramSocket(LOOPBACK)) {
            DatagramIo sender = DatagramIo.open(a, 2048, false);
            DatagramIo receiver = DatagramIo.open(b, 101, false);
            ReceivedBatch batch = new ReceivedBatch(receiver, 101);
            sender.send(ByteBuffer.wrap(new byte[] {7, 8, 9}), (InetSocketAddress) b.getLocalSocketAddress());
            sender.send(ByteBuffer.allocate(500), (InetSocketAddress) b.getLocalSocketAddress());

            assertThat(receiver.receive(batch)).isEqualTo(1);
            byte[] first = new byte[batch.datagrams[0].remaining()];
            batch.datagrams[0].get(first);
            assertThat(first).containsExactly(7, 8, 9);
            assertThat(batch.sources[0]).isEqualTo(a.getLocalSocketAddress());
            assertThat(receiver.receive(batch)).isEqualTo(1);
            assertThat(batch.datagrams[0].remaining()).isEqualTo(101); // one more than the endpoint's maximum
        }
    }

    @Test
    void wakingTheReceiverAndClosingTheChannelEndsABlockedReceive() throws Exception {
        DatagramChannel channel = DatagramChannel.open().bind(LOOPBACK);
        DatagramIo io = DatagramIo.open(channel, 2048, true);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread receiver = receiveInBackground(io, ended);
        // Whether or not the receiver is already blocked when this runs, it must end.
        io.wakeReceiver();
        channel.close();
        assertThat(ended.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        receiver.join(Duration.ofSeconds(1));
        assertThatThrownBy(() -> io.send(ByteBuffer.allocate(1), (InetSocketAddress) LOOPBACK))
                .isInstanceOf(ClosedChannelException.class);
    }

    /** Starts a platform thread blocked in {@code io.receive}; {@code ended} gets what ended it (null: a datagram). */
    private static Thread receiveInBackground(DatagramIo io, CompletableFuture<Throwable> ended) {
        return Thread.ofPlatform().start(() -> {
            try {
                io.receive(new ReceivedBatch(io, 2048));
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
    }
}
