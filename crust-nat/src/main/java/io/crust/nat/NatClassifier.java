package io.crust.nat;

import io.crust.nat.NatBehaviour.Dependence;
import io.crust.nat.NatBehaviour.Hairpinning;
import io.crust.nat.classify.Probes;
import io.crust.nat.classify.Verdicts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds out how the NAT in front of a UDP socket behaves (RFC 5780 section 4), either with the
 * help of a server that has two IP addresses and two ports (stund, coturn, {@link StunServer}
 * with an alternate address), or through two cooperating peers that answer STUN.
 *
 * <pre>
 * client                NAT                server A1:P1          server A2:P2
 *   |-- I:  Binding ------+-------------------->|                      mapped X1, OTHER-ADDRESS
 *   |-- filtering II: CHANGE-REQUEST(ip,port) -->|  answer from A2:P2 -->|  arrives? endpoint-independent
 *   |-- filtering III: CHANGE-REQUEST(port) ---->|  answer from A1:P2      arrives? address-dependent
 *   |-- mapping II:  Binding to A2:P1 ---------------------------------->| X2 == X1? endpoint-independent
 *   |-- mapping III: Binding to A2:P2 ---------------------------------->| X3 == X2? address-dependent
 *   |-- hairpin: Binding to X1 (our own reflexive address): does it come back?
 * </pre>
 *
 * Filtering is tested before the mapping tests II and III contact the alternate address, since
 * that contact would open the filter for it.
 */
public final class NatClassifier {

    /**
     * How long the tests of a classification may take.
     *
     * @param testTimeout   how long one test waits for an answer (a missing answer is a result)
     * @param initialRto    the first retransmission delay of each test
     * @param lifetimeProbe the longest idle time the binding-lifetime probe tries; zero skips it
     */
    public record Options(Duration testTimeout, Duration initialRto, Duration lifetimeProbe) {
        /**
         * Checks that no component is {@code null}.
         *
         * @throws NullPointerException if a component is {@code null}
         */
        public Options {
            Objects.requireNonNull(testTimeout, "testTimeout");
            Objects.requireNonNull(initialRto, "initialRto");
            Objects.requireNonNull(lifetimeProbe, "lifetimeProbe");
        }

        /** {@return 3 s per test, 500 ms initial RTO, no lifetime probe} */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(3), StunClient.DEFAULT_INITIAL_RTO, Duration.ZERO);
        }

        /**
         * Sets how long one test waits; a longer wait tells slow answers from filtered ones more surely.
         *
         * @param t how long one test waits for an answer, not {@code null}
         * @return a copy with this test timeout
         */
        public Options withTestTimeout(Duration t) {
            return new Options(t, initialRto, lifetimeProbe);
        }

        /**
         * Sets the binding-lifetime probe, which takes up to about twice {@code max}.
         *
         * @param max the longest idle time the binding-lifetime probe tries; {@link Duration#ZERO} skips the probe
         * @return a copy with this probe bound
         */
        public Options withLifetimeProbe(Duration max) {
            return new Options(testTimeout, initialRto, max);
        }
    }

    private NatClassifier() {
    }

    /**
     * Classifies with an RFC 5780 server and default options; see {@link #classify(DatagramPort, InetSocketAddress, Options)}.
     *
     * @param port   the socket whose NAT is classified; the tests send and receive on it
     * @param server the STUN server's primary address
     * @return the NAT's behaviour as seen from {@code port}
     * @throws NatException when the server does not answer the first request
     * @throws IOException  when the socket fails
     */
    public static NatBehaviour classify(DatagramPort port, InetSocketAddress server) throws IOException {
        return classify(port, server, Options.defaults());
    }

    /**
     * Classifies with an RFC 5780 server. Without an alternate address in the server's answer,
     * mapping and filtering are {@link Dependence#UNKNOWN} (unless there is no NAT at all).
     *
     * @param port    the socket whose NAT is classified; the tests send and receive on it
     * @param server  the STUN server's primary address
     * @param options the test timeouts and whether to probe the binding lifetime
     * @return the NAT's behaviour as seen from {@code port}
     * @throws NatException when the server does not answer the first request
     * @throws IOException  when the socket fails
     */
    public static NatBehaviour classify(DatagramPort port, InetSocketAddress server, Options options)
            throws IOException {
        StunClient client = new StunClient(port, d -> { }, options.initialRto());
        StunClient.Binding first = client.binding(server, options.testTimeout());
        InetSocketAddress x1 = first.mapped();
        InetSocketAddress local = effectiveLocal(port.localAddress(), x1);
        InetSocketAddress other = first.otherAddress();
        Dependence filtering = Dependence.UNKNOWN;
        Dependence mapping = Dependence.UNKNOWN;
        if (other != null) {
            boolean ipAndPort = answers(client, server, StunClient.Request.change(true, true), options);
            boolean portOnly = !ipAndPort && answers(client, server, StunClient.Request.change(false, true), options);
            filtering = Verdicts.filtering(ipAndPort, portOnly);
        }
        if (local.equals(x1)) {
            mapping = Dependence.ENDPOINT_INDEPENDENT;
        } else if (other != null) {
            InetSocketAddress x2 = mappedOrNull(client, new InetSocketAddress(other.getAddress(), server.getPort()),
                    options);
            InetSocketAddress x3 = x2 == null || x2.equals(x1) ? null : mappedOrNull(client, other, options);
            mapping = Verdicts.mapping(x1, x2, x3);
        }
        Hairpinning hairpinning = Probes.hairpinning(port, x1, options.testTimeout());
        Duration lifetime = null;
        if (!options.lifetimeProbe().isZero()) {
            lifetime = Probes.bindingLifetimeAtLeast(port, server, options.lifetimeProbe(), options.testTimeout(),
                    options.initialRto()).orElse(null);
        }
        return new NatBehaviour(local, x1, mapping, filtering, hairpinning, lifetime);
    }

    /**
     * Classifies through two cooperating peers that answer STUN (every Crust peer does). Mapping
     * compares what the two saw; filtering needs a peer with an alternate address (OTHER-ADDRESS)
     * and is {@link Dependence#UNKNOWN} otherwise. Hairpinning is tested as usual.
     *
     * @param port    the socket whose NAT is classified
     * @param peerA   the first peer's STUN address
     * @param peerB   the second peer's STUN address
     * @param options the test timeouts (the lifetime probe is not run)
     * @return the NAT's behaviour; its binding lifetime is unknown ({@code null})
     * @throws NatException when either peer does not answer its first request
     * @throws IOException  when the socket fails
     */
    public static NatBehaviour classifyThroughPeers(DatagramPort port, InetSocketAddress peerA,
            InetSocketAddress peerB, Options options) throws IOException {
        StunClient client = new StunClient(port, d -> { }, options.initialRto());
        StunClient.Binding a = client.binding(peerA, options.testTimeout());
        StunClient.Binding b = client.binding(peerB, options.testTimeout());
        InetSocketAddress local = effectiveLocal(port.localAddress(), a.mapped());
        Dependence mapping = local.equals(a.mapped()) && a.mapped().equals(b.mapped())
                ? Dependence.ENDPOINT_INDEPENDENT
                : Verdicts.mappingFromPeers(peerA, a.mapped(), peerB, b.mapped());
        Dependence filtering = Dependence.UNKNOWN;
        if (a.otherAddress() != null) {
            boolean ipAndPort = answers(client, peerA, StunClient.Request.change(true, true), options);
            boolean portOnly = !ipAndPort && answers(client, peerA, StunClient.Request.change(false, true), options);
            filtering = Verdicts.filtering(ipAndPort, portOnly);
        }
        Hairpinning hairpinning = Probes.hairpinning(port, a.mapped(), options.testTimeout());
        return new NatBehaviour(local, a.mapped(), mapping, filtering, hairpinning, null);
    }

    /**
     * Sends a Binding request from {@code port} to its own reflexive address and reports whether
     * it came back (RFC 5780 section 4.5).
     *
     * @param port     the socket to test from
     * @param external {@code port}'s reflexive address, as a STUN server saw it
     * @param timeout  how long to wait for the request to come back
     * @return whether the NAT hairpins; silence until the timeout means it does not
     * @throws IOException when the socket fails
     */
    public static Hairpinning hairpinning(DatagramPort port, InetSocketAddress external, Duration timeout)
            throws IOException {
        return Probes.hairpinning(port, external, timeout);
    }

    /**
     * A lower bound of the NAT's idle binding lifetime, probing idle times up to {@code max}
     * (which bounds the probe to about twice {@code max}). Needs a server that honours
     * RESPONSE-PORT (RFC 5780 section 7.5), such as a {@link StunServer} with an alternate port.
     *
     * @param port    the socket whose binding is probed; it stays idle between probes
     * @param server  the STUN server's address
     * @param max     the longest idle time tried
     * @param options the per-request timeout and first RTO
     * @return the longest idle time the binding survived ({@link Duration#ZERO} if it survived none), or empty
     *         when the server does not honour RESPONSE-PORT
     * @throws NatTimeoutException when the server does not answer a plain Binding request
     * @throws java.io.InterruptedIOException when the thread is interrupted while idle
     * @throws IOException when a socket fails
     */
    public static Optional<Duration> bindingLifetimeAtLeast(DatagramPort port, InetSocketAddress server,
            Duration max, Options options) throws IOException {
        return Probes.bindingLifetimeAtLeast(port, server, max, options.testTimeout(), options.initialRto());
    }

    private static InetSocketAddress mappedOrNull(StunClient client, InetSocketAddress target, Options options)
            throws IOException {
        try {
            return client.binding(target, StunClient.Request.PLAIN, options.testTimeout()).mapped();
        } catch (NatTimeoutException silence) {
            return null;
        }
    }

    /** Whether the request is answered at all: silence is the result of a filtering test (RFC 5780 section 4.4). */
    private static boolean answers(StunClient client, InetSocketAddress server, StunClient.Request request,
            Options options) throws IOException {
        try {
            client.binding(server, request, options.testTimeout());
            return true;
        } catch (NatTimeoutException silence) {
            return false;
        }
    }

    /** A wildcard-bound socket whose reflexive IP is one of our interfaces is not behind a NAT. */
    private static InetSocketAddress effectiveLocal(InetSocketAddress bound, InetSocketAddress mapped) {
        if (!bound.getAddress().isAnyLocalAddress() || bound.getPort() != mapped.getPort()) {
            return bound;
        }
        try {
            InetAddress ip = mapped.getAddress();
            return NetworkInterface.getByInetAddress(ip) != null ? mapped : bound;
        } catch (SocketException e) {
            return bound;
        }
    }
}
