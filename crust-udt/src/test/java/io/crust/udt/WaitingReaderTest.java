package io.crust.udt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A platform thread waiting in {@link UdtConnection#receive()} reads the endpoint's socket itself
 * (leader/follower, docs/udt.md "Who reads the socket"), on the JDK path's {@code DatagramSocket} as on
 * the Linux fast path; never on a {@code DatagramChannel} handed to the endpoint on the JDK path. These
 * tests run in both surefire executions, and every wait behaves the same on every path.
 */
class WaitingReaderTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void aPlatformThreadWaitingForItsEchoesReadsTheSocketItselfOnEveryPathButAGivenChannel() throws Exception {
        UdtEndpoint client = endpoint();
        UdtEndpoint server = endpoint();
        UdtConnection[] pair = TestConnections.connect(client, server, WAIT);
        Thread echo = platform(() -> echo(pair[1]));

        pingPong(pair[0], 300, 1);
        pair[0].close();
        echo.join(WAIT.toMillis());

        assertThat(client.stats().datagramsInByReaders()).isPositive();
        assertThat(server.stats().datagramsInByReaders()).isPositive();
    }

    @Test
    void aPlatformThreadWaitingOnAGivenChannelOnTheJdkPathLeavesTheSocketToTheReceiveLoop() throws Exception {
        UdtConfig jdkPath = UdtConfig.builder().fastPath(false).build();
        UdtEndpoint client = UdtEndpoint.open(DatagramChannel.open().bind(LOOPBACK), jdkPath);
        opened.add(client);
        UdtEndpoint server = UdtEndpoint.open(DatagramChannel.open().bind(LOOPBACK), jdkPath);
        opened.add(server);
        UdtConnection[] pair = TestConnections.connect(client, server, WAIT);
        Thread echo = platform(() -> echo(pair[1]));

        pingPong(pair[0], 300, 1);
        pair[0].close();
        echo.join(WAIT.toMillis());

        assertThat(client.datagramPath()).isEqualTo("jdk-channel");
        assertThat(client.stats().datagramsInByReaders()).isZero();
        assertThat(server.stats().datagramsInByReaders()).isZero();
    }

    @Test
    void aVirtualThreadWaitingForItsEchoesLeavesTheSocketToTheReceiveLoop() throws Exception {
        UdtEndpoint client = endpoint();
        UdtEndpoint server = endpoint();
        UdtConnection[] pair = TestConnections.connect(client, server, WAIT);
        Thread echo = Thread.ofVirtual().start(() -> echo(pair[1]));
        FutureTask<Void> pings = pings(pair[0], 100, 2);
        Thread.ofVirtual().start(pings);
        pings.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        pair[0].close();
        echo.join(WAIT.toMillis());

        assertThat(client.stats().datagramsInByReaders()).isZero();
        assertThat(server.stats().datagramsInByReaders()).isZero();
    }

    @Test
    void platformReadersOfTwoConnectionsOfOneEndpointEachGetTheirOwnEchoes() throws Exception {
        UdtEndpoint shared = endpoint();
        UdtEndpoint first = endpoint();
        UdtEndpoint second = endpoint();
        UdtConnection[] a = TestConnections.connect(shared, first, WAIT);
        UdtConnection[] b = TestConnections.connect(shared, second, WAIT);
        platform(() -> echo(a[1]));
        platform(() -> echo(b[1]));
        FutureTask<Void> pingsA = pings(a[0], 300, 3);
        FutureTask<Void> pingsB = pings(b[0], 300, 4);
        platform(pingsA);
        platform(pingsB);

        pingsA.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        pingsB.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aReaderThatStopsWaitingLeavesTheSocketToTheReceiveLoopForTheEndpointsOtherConnections() throws Exception {
        UdtEndpoint shared = endpoint();
        UdtEndpoint first = endpoint();
        UdtEndpoint second = endpoint();
        UdtConnection[] a = TestConnections.connect(shared, first, WAIT);
        UdtConnection[] b = TestConnections.connect(shared, second, WAIT);
        a[1].send(new byte[] {1});
        assertThat(a[0].receive()).containsExactly(1); // this platform thread read the socket, then stopped

        // A virtual thread never reads the socket: only the receive loop, back in its place, can hand it this.
        b[1].send(new byte[] {2});
        FutureTask<byte[]> received = new FutureTask<>(() -> b[0].receive(WAIT));
        Thread.ofVirtual().start(received);
        assertThat(received.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(2);
    }

    @Test
    void aReaderWaitingInTheSocketWakesAtOnceWhenAnotherThreadAbortsItsConnection() throws Exception {
        UdtEndpoint local = endpoint();
        DatagramChannel peerChannel = DatagramChannel.open().bind(LOOPBACK);
        // On the JDK path: closing its channel underneath it is safe there (the fast path keeps the
        // descriptor's number, which another socket may get once it is closed).
        UdtEndpoint peer = UdtEndpoint.open(peerChannel,
                UdtConfig.builder().closeTimeout(Duration.ofMillis(100)).fastPath(false).build());
        opened.add(peer);
        UdtConnection[] pair = TestConnections.connect(local, peer, WAIT);
        peerChannel.close(); // the peer goes silent: no datagram can wake the reader below
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread reader = waitingReader(pair[0], local, ended);

        long start = System.nanoTime();
        pair[0].abort();
        Throwable failure = ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(failure).isInstanceOf(UdtException.class);
        // Not woken, a reader in the socket would sleep until the socket's one-second receive timeout.
        assertThat(millis).isLessThan(900);
    }

    @Test
    void closingTheEndpointEndsTheWaitOfAReaderInTheSocket() throws Exception {
        UdtEndpoint local = endpoint();
        UdtEndpoint peer = endpoint();
        UdtConnection[] pair = TestConnections.connect(local, peer, WAIT);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread reader = waitingReader(pair[0], local, ended);

        local.close();

        assertThat(ended.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(UdtException.class);
        assertThat(local.stats().activeConnections()).isZero();
    }

    @Test
    void anInterruptedReaderEndsItsWaitAndTheConnectionStillDeliversToTheNextReader() throws Exception {
        UdtEndpoint local = endpoint();
        UdtEndpoint peer = endpoint();
        UdtConnection[] pair = TestConnections.connect(local, peer, WAIT);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread reader = waitingReader(pair[0], local, ended);

        reader.interrupt();
        assertThat(ended.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);

        pair[1].send(new byte[] {7, 7});
        CompletableFuture<byte[]> next = new CompletableFuture<>();
        platform(() -> complete(next, () -> pair[0].receive(WAIT)));
        assertThat(next.get(WAIT.toSeconds(), TimeUnit.SECONDS)).containsExactly(7, 7);
        assertThat(peer.stats().activeConnections()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ helpers

    private UdtEndpoint endpoint() throws Exception {
        UdtEndpoint endpoint = UdtEndpoint.bind(LOOPBACK, UdtConfig.defaults());
        opened.add(endpoint);
        return endpoint;
    }

    /** {@link #pingPong} as a task to run on a thread of the test's choosing. */
    private static FutureTask<Void> pings(UdtConnection c, int rounds, int tag) {
        return new FutureTask<>(() -> {
            pingPong(c, rounds, tag);
            return null;
        });
    }

    private static void pingPong(UdtConnection c, int rounds, int tag) throws Exception {
        for (int i = 0; i < rounds; i++) {
            byte[] message = new byte[64];
            Arrays.fill(message, (byte) tag);
            message[0] = (byte) i;
            c.send(message);
            assertThat(c.receive()).isEqualTo(message);
        }
    }

    private static void echo(UdtConnection c) {
        try {
            while (true) {
                c.send(c.receive());
            }
        } catch (Exception end) {
            // the client closed: the echo is done
        }
    }

    /**
     * Starts a platform thread that waits for a message on {@code c}, and returns it once it waits;
     * {@code ended} gets what ended its wait (null for a message).
     */
    private Thread waitingReader(UdtConnection c, UdtEndpoint endpoint, CompletableFuture<Throwable> ended) {
        Thread reader = platform(() -> {
            try {
                c.receive();
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
        awaitWaiting(reader, endpoint);
        return reader;
    }

    /** Waits (bounded) until {@code reader} waits for its message: in the socket unless on a given channel. */
    private static void awaitWaiting(Thread reader, UdtEndpoint endpoint) {
        boolean readsSocket = !endpoint.datagramPath().equals("jdk-channel");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(readsSocket ? inSocket(reader) : reader.getState() == Thread.State.WAITING)) {
            assertThat(System.nanoTime()).as("reader waiting").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static boolean inSocket(Thread reader) {
        return Arrays.stream(reader.getStackTrace()).anyMatch(f -> f.getMethodName().equals("readWhileWaiting"))
                && reader.getState() == Thread.State.RUNNABLE;
    }

    private Thread platform(Runnable task) {
        Thread t = Thread.ofPlatform().daemon().start(task);
        opened.add(0, () -> t.join(WAIT.toMillis())); // after the endpoints closed, which ends its waits
        return t;
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> void complete(CompletableFuture<T> future, Step<T> step) {
        try {
            future.complete(step.run());
        } catch (Throwable e) {
            future.completeExceptionally(e);
        }
    }

}
