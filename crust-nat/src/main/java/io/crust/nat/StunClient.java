package io.crust.nat;

import io.crust.nat.stun.StunAddress;
import io.crust.nat.stun.StunAttribute;
import io.crust.nat.stun.StunFormatException;
import io.crust.nat.stun.StunMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STUN Binding client (RFC 8489 section 6.2.1) over a {@link DatagramPort}: it learns the
 * reflexive address, the transport address a server saw the request come from.
 *
 * <p>Requests are retransmitted after 500 ms, then at doubling intervals, until an answer or the
 * caller's timeout. Responses are matched by transaction ID and their FINGERPRINT (if present)
 * must check out; other datagrams that arrive meanwhile go to the {@code strays} consumer.
 */
public final class StunClient {
    private static final Logger LOG = LoggerFactory.getLogger(StunClient.class);
    /** RFC 8489 section 6.2.1: the initial RTO SHOULD be 500 ms on a path of unknown RTT. */
    public static final Duration DEFAULT_INITIAL_RTO = Duration.ofMillis(500);
    /** How many round trips of the first answer {@link #bindings} waits on for the others. */
    private static final int LATE_ANSWER_ROUND_TRIPS = 3;
    /** The least {@link #bindings} waits for the others after the first answer. */
    private static final Duration LATE_ANSWER_MIN = Duration.ofMillis(100);

    /**
     * What a server answered.
     *
     * @param mapped         the reflexive address: XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from an
     *                       RFC 3489 server
     * @param respondedFrom  the source of the response datagram
     * @param responseOrigin RESPONSE-ORIGIN (or SOURCE-ADDRESS), or null
     * @param otherAddress   OTHER-ADDRESS (or CHANGED-ADDRESS), the server's RFC 5780 alternate, or null
     * @param roundTrip      from the first transmission to the answer
     */
    public record Binding(InetSocketAddress mapped, InetSocketAddress respondedFrom, InetSocketAddress responseOrigin,
            InetSocketAddress otherAddress, Duration roundTrip) {
    }

    /**
     * Options of one request (RFC 5780 sections 7.2 and 7.5).
     *
     * @param changeIp     ask the server to answer from its alternate IP address (CHANGE-REQUEST)
     * @param changePort   ask the server to answer from its alternate port (CHANGE-REQUEST)
     * @param responsePort the port at our reflexive IP the answer should go to (RESPONSE-PORT), or 0 for the
     *                     request's source port
     */
    public record Request(boolean changeIp, boolean changePort, int responsePort) {
        /** A plain Binding request: no CHANGE-REQUEST, no RESPONSE-PORT. */
        public static final Request PLAIN = new Request(false, false, 0);

        /**
         * A request with CHANGE-REQUEST, for the filtering tests.
         *
         * @param changeIp   answer from the server's alternate IP address
         * @param changePort answer from the server's alternate port
         * @return the request
         */
        public static Request change(boolean changeIp, boolean changePort) {
            return new Request(changeIp, changePort, 0);
        }

        /**
         * Ask the server to answer to {@code port} at our reflexive IP (RESPONSE-PORT).
         *
         * @param port the port at our reflexive IP, 1 to 65535
         * @return the request
         */
        public static Request toPort(int port) {
            return new Request(false, false, port);
        }
    }

    private final DatagramPort port;
    private final Consumer<DatagramPort.Datagram> strays;
    private final Duration initialRto;

    /**
     * A client that drops datagrams that do not answer its requests, with the RFC's 500 ms initial RTO.
     *
     * @param port the socket requests go out on and answers come back to; not closed by the client
     */
    public StunClient(DatagramPort port) {
        this(port, d -> { }, DEFAULT_INITIAL_RTO);
    }

    /**
     * A client that hands other datagrams to {@code strays}.
     *
     * @param port       the socket requests go out on and answers come back to; not closed by the client
     * @param strays     receives every datagram that is not the answer being waited for, in the calling thread
     * @param initialRto the first retransmission delay (tests on loopback use less than 500 ms)
     * @throws IllegalArgumentException if initialRto is zero or negative
     */
    public StunClient(DatagramPort port, Consumer<DatagramPort.Datagram> strays, Duration initialRto) {
        this.port = Objects.requireNonNull(port, "port");
        this.strays = Objects.requireNonNull(strays, "strays");
        if (initialRto.isNegative() || initialRto.isZero()) {
            throw new IllegalArgumentException("initialRto must be positive: " + initialRto);
        }
        this.initialRto = initialRto;
    }

    /** {@return the socket this client sends and receives on} */
    public DatagramPort port() {
        return port;
    }

    /**
     * Learns the reflexive address from {@code server}.
     *
     * @param server  the STUN server's address
     * @param timeout how long to wait for an answer, retransmissions included
     * @return what the server answered
     * @throws NatTimeoutException when no answer arrives within {@code timeout}
     * @throws NatException when the server answers with an error
     * @throws IOException when the socket fails
     */
    public Binding binding(InetSocketAddress server, Duration timeout) throws IOException {
        return binding(server, Request.PLAIN, timeout);
    }

    /**
     * Sends one Binding transaction and waits up to {@code timeout} for its answer. (An absent answer
     * is a normal outcome of the RFC 5780 filtering tests: those catch the timeout as their result.)
     *
     * @param server  the STUN server's address
     * @param request the RFC 5780 options of the request
     * @param timeout how long to wait for an answer, retransmissions included
     * @return what the server answered
     * @throws NatTimeoutException when no answer arrives within {@code timeout}
     * @throws NatException when the server answers with an error response or a malformed one
     * @throws IOException when the socket fails
     */
    public Binding binding(InetSocketAddress server, Request request, Duration timeout) throws IOException {
        byte[] id = StunMessage.newTransactionId();
        StunMessage.Builder builder = StunMessage.builder(StunMessage.BINDING_REQUEST, id);
        if (request.changeIp() || request.changePort()) {
            builder.add(StunAttribute.CHANGE_REQUEST,
                    new byte[] {0, 0, 0, (byte) ((request.changeIp() ? 4 : 0) | (request.changePort() ? 2 : 0))});
        }
        if (request.responsePort() != 0) {
            builder.add(StunAttribute.RESPONSE_PORT,
                    new byte[] {(byte) (request.responsePort() >>> 8), (byte) request.responsePort(), 0, 0});
        }
        ByteBuffer packet = builder.encode(null, true);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long rtoNanos = initialRto.toNanos();
        long nextSend = start;
        while (true) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                throw new NatTimeoutException("no STUN answer from " + server + " within " + timeout.toMillis() + " ms");
            }
            if (now - nextSend >= 0) {
                port.send(packet.duplicate(), server);
                nextSend = now + rtoNanos;
                rtoNanos *= 2;
            }
            long waitNanos = Math.max(1_000_000, Math.min(nextSend, deadline) - now);
            DatagramPort.Datagram d;
            try {
                d = port.receive(Duration.ofNanos(waitNanos));
            } catch (SocketTimeoutException quiet) {
                continue; // retransmit or give up, above
            }
            StunMessage answer = answerTo(id, d);
            if (answer == null) {
                strays.accept(d);
                continue;
            }
            return read(answer, d.sender(), server, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * Learns the reflexive address from each of {@code servers} at once: every request goes out at the
     * start and is retransmitted on its own schedule, so a server that never answers (an address family
     * that is broken on the path, say) costs {@code timeout} once, not once per server. RFC 8445 section
     * 5.1.1 gathers the same way, all servers in one pass. Once the first answer is in, the others get
     * three of its round trips more (at least 100 ms), then
     * the gathering ends: a server far slower than the first, or one that never answers, holds up the
     * punching that waits for this offer only that long.
     *
     * @param servers the STUN servers' addresses, without repeats
     * @param timeout how long to wait for all answers, retransmissions included
     * @return the answers, in the order of {@code servers}; a server that could not be sent to (no route
     *         to its address), did not answer in time, or answered with an error or a malformed
     *         response, is left out
     * @throws IOException when the socket fails while receiving
     */
    public Map<InetSocketAddress, Binding> bindings(List<InetSocketAddress> servers, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        record Transaction(InetSocketAddress server, byte[] id, ByteBuffer packet, long[] nextSendAndRto) {
        }
        long start = System.nanoTime();
        List<Transaction> open = new ArrayList<>();
        for (InetSocketAddress server : new LinkedHashSet<>(servers)) {
            byte[] id = StunMessage.newTransactionId();
            open.add(new Transaction(server, id, StunMessage.builder(StunMessage.BINDING_REQUEST, id).encode(null, true),
                    new long[] {start, initialRto.toNanos()}));
        }
        Map<InetSocketAddress, Binding> answered = new HashMap<>();
        while (!open.isEmpty()) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                for (Transaction t : open) {
                    LOG.debug("no STUN answer from {} within {} ms", t.server(), timeout.toMillis());
                }
                break;
            }
            long wakeAt = deadline;
            for (var it = open.iterator(); it.hasNext(); ) {
                Transaction t = it.next();
                long[] timer = t.nextSendAndRto();
                if (now - timer[0] >= 0) {
                    try {
                        port.send(t.packet().duplicate(), t.server());
                    } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
                        // This server's address cannot be reached from here (no route for its IP
                        // version, an address family the socket lacks): the others still count.
                        LOG.debug("cannot send a STUN request to {}: {}", t.server(), e.toString());
                        it.remove();
                        continue;
                    }
                    timer[0] = now + timer[1];
                    timer[1] *= 2;
                }
                if (timer[0] - wakeAt < 0) {
                    wakeAt = timer[0];
                }
            }
            if (open.isEmpty()) {
                break;
            }
            DatagramPort.Datagram d;
            try {
                d = port.receive(Duration.ofNanos(Math.max(1_000_000, wakeAt - now)));
            } catch (SocketTimeoutException quiet) {
                continue;
            }
            Transaction matched = null;
            StunMessage answer = null;
            for (Transaction t : open) {
                answer = answerTo(t.id(), d);
                if (answer != null) {
                    matched = t;
                    break;
                }
            }
            if (matched == null) {
                strays.accept(d);
                continue;
            }
            open.remove(matched);
            long roundTrip = System.nanoTime() - start;
            long settleBy = System.nanoTime() + Math.max(LATE_ANSWER_MIN.toNanos(), LATE_ANSWER_ROUND_TRIPS * roundTrip);
            if (settleBy - deadline < 0) {
                deadline = settleBy; // set by the first answer
            }
            try {
                answered.put(matched.server(), read(answer, d.sender(), matched.server(), Duration.ofNanos(roundTrip)));
            } catch (NatException e) {
                LOG.debug("gathering from {}: {}", matched.server(), e.getMessage());
            }
        }
        Map<InetSocketAddress, Binding> inOrder = new LinkedHashMap<>();
        for (InetSocketAddress server : servers) {
            Binding b = answered.get(server);
            if (b != null) {
                inOrder.put(server, b);
            }
        }
        return inOrder;
    }

    private static StunMessage answerTo(byte[] id, DatagramPort.Datagram d) {
        if (!StunMessage.looksLikeStun(d.data())) {
            return null;
        }
        try {
            StunMessage m = StunMessage.decode(d.data());
            boolean response = m.type() == StunMessage.BINDING_SUCCESS || m.type() == StunMessage.BINDING_ERROR;
            if (!response || !m.inTransaction(id)) {
                return null;
            }
            if (m.hasFingerprint() && !m.fingerprintValid()) {
                LOG.debug("dropping a STUN response from {} with a bad FINGERPRINT", d.sender());
                return null;
            }
            return m;
        } catch (StunFormatException e) {
            LOG.debug("dropping a malformed STUN datagram from {}: {}", d.sender(), e.getMessage());
            return null;
        }
    }

    private static Binding read(StunMessage m, InetSocketAddress from, InetSocketAddress server, Duration rtt)
            throws NatException {
        if (m.type() == StunMessage.BINDING_ERROR) {
            byte[] error = m.attribute(StunAttribute.ERROR_CODE);
            if (error == null || error.length < 4) {
                throw new NatException("STUN server " + server + " answered an error without a valid ERROR-CODE");
            }
            int code = (error[2] & 0x07) * 100 + (error[3] & 0xFF);
            String reason = new String(error, 4, error.length - 4, StandardCharsets.UTF_8);
            throw new NatException("STUN server " + server + " answered error " + code + " " + reason);
        }
        try {
            byte[] xor = m.attribute(StunAttribute.XOR_MAPPED_ADDRESS);
            byte[] plain = m.attribute(StunAttribute.MAPPED_ADDRESS);
            InetSocketAddress mapped;
            if (xor != null) {
                mapped = StunAddress.decodeXor(xor, m.cookieAndId());
            } else if (plain != null) {
                mapped = StunAddress.decode(plain);
            } else {
                throw new NatException("STUN server " + server + " answered without a mapped address");
            }
            return new Binding(mapped, from,
                    address(m, StunAttribute.RESPONSE_ORIGIN, StunAttribute.SOURCE_ADDRESS),
                    address(m, StunAttribute.OTHER_ADDRESS, StunAttribute.CHANGED_ADDRESS), rtt);
        } catch (StunFormatException e) {
            throw new NatException("STUN server " + server + " sent a malformed response: " + e.getMessage(), e);
        }
    }

    private static InetSocketAddress address(StunMessage m, int modern, int classic) throws StunFormatException {
        byte[] v = m.attribute(modern);
        if (v == null) {
            v = m.attribute(classic);
        }
        return v == null ? null : StunAddress.decode(v);
    }
}
