package io.crust.nat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Hole punching and TCP simultaneous open between two loopback ports, with an in-test rendezvous. */
class PunchLoopbackTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final PunchOptions OPTIONS = PunchOptions.defaults().withTimeout(Duration.ofSeconds(10));

    /** Two queues crossed: what one side sends, the other receives. */
    private static OfferExchange[] exchangePair() {
        BlockingQueue<String> aToB = new ArrayBlockingQueue<>(1);
        BlockingQueue<String> bToA = new ArrayBlockingQueue<>(1);
        return new OfferExchange[] {queues(aToB, bToA), queues(bToA, aToB)};
    }

    private static OfferExchange queues(BlockingQueue<String> out, BlockingQueue<String> in) {
        return new OfferExchange() {
            @Override
            public void send(PunchOffer mine) {
                out.add(mine.encode());
            }

            @Override
            public PunchOffer receive(Duration timeout) throws java.io.IOException {
                try {
                    String line = in.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    if (line == null) {
                        throw new NatException("no offer within " + timeout);
                    }
                    return PunchOffer.decode(line);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        };
    }

    @Test
    void twoPeersOnLoopbackAgreeOnTheirHostCandidates() throws Exception {
        OfferExchange[] r = exchangePair();
        try (DatagramChannelPort a = DatagramPort.open(new InetSocketAddress(LOOPBACK, 0));
                DatagramChannelPort b = DatagramPort.open(new InetSocketAddress(LOOPBACK, 0));
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            PunchOffer offerA = HolePuncher.gather(a, List.of(), List.of(), Duration.ofSeconds(1));
            PunchOffer offerB = HolePuncher.gather(b, List.of(), List.of(), Duration.ofSeconds(1));
            Future<PunchResult> fa = pool.submit(() -> HolePuncher.punch(a, offerA, r[0], OPTIONS));
            Future<PunchResult> fb = pool.submit(() -> HolePuncher.punch(b, offerB, r[1], OPTIONS));
            PunchResult ra = fa.get(30, TimeUnit.SECONDS);
            PunchResult rb = fb.get(30, TimeUnit.SECONDS);

            assertThat(ra.connected()).as(ra.detail()).isTrue();
            assertThat(rb.connected()).as(rb.detail()).isTrue();
            assertThat(ra.remote()).isEqualTo(b.localAddress());
            assertThat(rb.remote()).isEqualTo(a.localAddress());
            assertThat(ra.port()).isSameAs(a);
            assertThat(ra.controlling()).isNotEqualTo(rb.controlling());
        }
    }

    @Test
    void checksSignedWithAnotherPasswordAreNeverAnswered() throws Exception {
        try (DatagramChannelPort a = DatagramPort.open(new InetSocketAddress(LOOPBACK, 0));
                DatagramChannelPort intruder = DatagramPort.open(new InetSocketAddress(LOOPBACK, 0))) {
            PunchOffer mine = PunchOffer.create(List.of(Candidate.host(a.localAddress())), false);
            PunchOffer real = PunchOffer.create(List.of(Candidate.host(new InetSocketAddress(LOOPBACK, 9))), false);
            // The intruder knows both ufrags and a's candidates (say, it sniffed them) but no password.
            PunchOffer forged = new PunchOffer(real.ufrag(), "forged-password-xxxxxxxxxxx", real.tieBreaker(), false,
                    List.of(Candidate.host(intruder.localAddress())));
            PunchOffer guessedVictim = new PunchOffer(mine.ufrag(), "guessed-password-xxxxxxxxxx", mine.tieBreaker(),
                    false, mine.candidates());
            Thread attacker = Thread.ofVirtual().start(() -> {
                try {
                    // Punch toward a from the intruder, using the forged credentials.
                    HolePuncher.punch(intruder, forged, guessedVictim, OPTIONS.withTimeout(Duration.ofSeconds(2)));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            PunchResult result = HolePuncher.punch(a, mine, real, OPTIONS.withTimeout(Duration.ofSeconds(2)));
            attacker.join();

            assertThat(result.connected()).isFalse();
            assertThat(result.detail()).startsWith("no direct path");
        }
    }

    @Test
    void bothSymmetricGivesNoDirectPathWithinTheWindow() throws Exception {
        try (DatagramChannelPort a = DatagramPort.open(new InetSocketAddress(LOOPBACK, 0))) {
            PunchOffer mine = PunchOffer.create(List.of(Candidate.host(a.localAddress())), true);
            PunchOffer theirs = PunchOffer.create(
                    List.of(Candidate.serverReflexive(new InetSocketAddress(LOOPBACK, 9))), true);
            long start = System.nanoTime();

            PunchResult result = HolePuncher.punch(a, mine, theirs,
                    OPTIONS.withBothSymmetricWindow(Duration.ofMillis(500)));

            assertThat(result.connected()).isFalse();
            assertThat(result.detail()).contains("both peers are behind NATs with endpoint-dependent");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
        }
    }

    @Test
    void offerSurvivesItsTextForm() throws Exception {
        PunchOffer offer = PunchOffer.create(List.of(Candidate.host(new InetSocketAddress(LOOPBACK, 4000)),
                Candidate.serverReflexive(new InetSocketAddress(InetAddress.getByName("203.0.113.9"), 5000))), true);

        assertThat(PunchOffer.decode(offer.encode())).isEqualTo(offer);
    }

    @Test
    void tcpSimultaneousOpenConnectsTwoLoopbackPorts() throws Exception {
        int portA = freeTcpPort();
        int portB = freeTcpPort();
        InetSocketAddress a = new InetSocketAddress(LOOPBACK, portA);
        InetSocketAddress b = new InetSocketAddress(LOOPBACK, portB);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Callable<Socket> sideA = () -> TcpSimultaneousOpen.connect(a, b, Duration.ofSeconds(10));
            Callable<Socket> sideB = () -> TcpSimultaneousOpen.connect(b, a, Duration.ofSeconds(10));
            Future<Socket> fa = pool.submit(sideA);
            Future<Socket> fb = pool.submit(sideB);
            try (Socket sa = fa.get(30, TimeUnit.SECONDS); Socket sb = fb.get(30, TimeUnit.SECONDS)) {
                sa.getOutputStream().write(42);
                sa.getOutputStream().flush();

                assertThat(sb.getInputStream().read()).isEqualTo(42);
                assertThat(sa.getRemoteSocketAddress()).isEqualTo(b);
                assertThat(sb.getRemoteSocketAddress()).isEqualTo(a);
            }
        }
    }

    @Test
    void tcpSimultaneousOpenToNobodyFailsWithinItsWindow() throws Exception {
        InetSocketAddress a = new InetSocketAddress(LOOPBACK, freeTcpPort());
        InetSocketAddress nobody = new InetSocketAddress(LOOPBACK, freeTcpPort());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TcpSimultaneousOpen.connect(a, nobody, Duration.ofMillis(600)))
                .isInstanceOf(NatException.class)
                .hasMessageContaining("found no connection within 600 ms");
    }

    private static int freeTcpPort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
