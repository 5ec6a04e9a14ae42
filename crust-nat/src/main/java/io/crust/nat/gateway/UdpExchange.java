package io.crust.nat.gateway;

import io.crust.nat.NatException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NAT-PMP or PCP request and its answer: send, wait, resend on the {@link RetransmitSchedule}, all
 * within a total time bound. The edge where those protocols touch a socket.
 *
 * <p>The socket is connected to the gateway, so the kernel drops datagrams from other sources (RFC 6886
 * section 3.1: "the client MUST ignore responses from other addresses") and reports ICMP port
 * unreachable, which ends the exchange at once. Replies that fail to parse are ignored, not trusted, so
 * a stray packet cannot cut the exchange short; if nothing valid arrives, the error names the last
 * malformed reply.
 */
public final class UdpExchange {
    private static final Logger LOG = LoggerFactory.getLogger(UdpExchange.class);
    /** Larger than any NAT-PMP or PCP message (PCP: 1100 bytes, RFC 6887 section 7). */
    private static final int RECEIVE_BUFFER_BYTES = 1500;

    /** Reads one datagram: the answer, {@code null} for "not the answer to this request", or an exception. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(ByteBuffer datagram) throws MalformedReplyException;
    }

    private final InetSocketAddress gateway;
    private final InetAddress source;
    private final RetransmitSchedule schedule;
    private final Duration exchangeTimeout;

    public UdpExchange(InetSocketAddress gateway, RetransmitSchedule schedule, Duration exchangeTimeout) {
        this(gateway, null, schedule, exchangeTimeout);
    }

    /**
     * With the requests sent from {@code source} (null: the address the kernel picks towards the gateway).
     * An IPv6 pinhole is asked from the address it is for, which towards a link-local gateway is not the
     * kernel's choice.
     */
    public UdpExchange(InetSocketAddress gateway, InetAddress source, RetransmitSchedule schedule, Duration exchangeTimeout) {
        this.gateway = gateway;
        this.source = source;
        this.schedule = schedule;
        this.exchangeTimeout = exchangeTimeout;
    }

    public InetSocketAddress gateway() {
        return gateway;
    }

    /** Opens a socket connected to the gateway; the caller closes it. */
    public DatagramSocket open() throws NatException {
        try {
            DatagramSocket socket = source == null ? new DatagramSocket() : new DatagramSocket(new InetSocketAddress(source, 0));
            socket.connect(gateway);
            return socket;
        } catch (IOException e) {
            throw new NatException("cannot open a UDP socket towards gateway " + gateway, e);
        }
    }

    /** Sends {@code request} on {@code socket} until a datagram decodes to an answer, or fails when time runs out. */
    public <T> T exchange(DatagramSocket socket, byte[] request, Decoder<T> decoder) throws NatException {
        long startNanos = System.nanoTime();
        long deadlineNanos = startNanos + exchangeTimeout.toNanos();
        byte[] buffer = new byte[RECEIVE_BUFFER_BYTES];
        String lastMalformed = null;
        long waitNanos = 0;
        int attempt = 0;
        for (; attempt < schedule.maxAttempts() && System.nanoTime() < deadlineNanos; attempt++) {
            waitNanos = schedule.timeoutNanos(attempt, waitNanos);
            long attemptEndNanos = Math.min(deadlineNanos, System.nanoTime() + waitNanos);
            try {
                socket.send(new DatagramPacket(request, request.length));
                while (true) {
                    long leftNanos = attemptEndNanos - System.nanoTime();
                    if (leftNanos <= 0) {
                        break;
                    }
                    socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos)));
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    try {
                        socket.receive(packet);
                    } catch (SocketTimeoutException timeout) {
                        break;
                    }
                    try {
                        T answer = decoder.decode(ByteBuffer.wrap(buffer, 0, packet.getLength()).slice());
                        if (answer != null) {
                            return answer;
                        }
                    } catch (MalformedReplyException e) {
                        lastMalformed = e.getMessage();
                        LOG.debug("ignoring malformed reply from {}: {}", gateway, lastMalformed);
                    }
                }
            } catch (PortUnreachableException e) {
                throw new NatException("gateway " + gateway + " has no NAT-PMP/PCP server (ICMP port unreachable)", e);
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new NatException("interrupted while waiting for gateway " + gateway, e);
                }
                throw new NatException("UDP exchange with gateway " + gateway + " failed: " + e.getMessage(), e);
            }
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        throw new NatException("no valid answer from gateway " + gateway + " after " + attempt + " sends in "
                + tookMillis + " ms" + (lastMalformed == null ? "" : "; last reply was malformed: " + lastMalformed));
    }
}
