package io.crust.nat.classify;

import io.crust.nat.DatagramPort;
import io.crust.nat.NatBehaviour.Hairpinning;
import io.crust.nat.StunClient;
import io.crust.nat.stun.StunAttribute;
import io.crust.nat.stun.StunFormatException;
import io.crust.nat.stun.StunMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The classification tests that need more than one Binding transaction: hairpinning and binding lifetime. */
public final class Probes {
    private Probes() {
    }

    /**
     * RFC 5780 section 4.5: sends a Binding request from {@code port} to its own reflexive address
     * and waits for it to arrive back at {@code port}.
     */
    public static Hairpinning hairpinning(DatagramPort port, InetSocketAddress external, Duration timeout)
            throws IOException {
        byte[] id = StunMessage.newTransactionId();
        ByteBuffer request = StunMessage.builder(StunMessage.BINDING_REQUEST, id).encode();
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextSend = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return Hairpinning.NOT_SUPPORTED;
            }
            if (now - nextSend >= 0) {
                port.send(request.duplicate(), external);
                nextSend = now + TimeUnit.MILLISECONDS.toNanos(250);
            }
            DatagramPort.Datagram d;
            try {
                d = port.receive(Duration.ofNanos(Math.max(1_000_000, Math.min(deadline, nextSend) - now)));
            } catch (SocketTimeoutException quiet) {
                continue;
            }
            if (isMessage(d, StunMessage.BINDING_REQUEST, id)) {
                return Hairpinning.SUPPORTED;
            }
        }
    }

    /**
     * A bounded estimate of how long the NAT keeps an idle binding (in the spirit of RFC 5780
     * section 4.6). Each round refreshes the binding of {@code port} with {@code server}, stays
     * idle for a while, then asks the server, from a second socket, to answer to the first
     * socket's reflexive port (RESPONSE-PORT, section 7.5). If the answer still arrives, the
     * binding survived that idle time; idle times double from {@code max / 8} up to {@code max}.
     *
     * @return the longest idle time the binding survived (zero if not even the first), or empty
     *         when the server does not honour RESPONSE-PORT
     */
    public static Optional<Duration> bindingLifetimeAtLeast(DatagramPort port, InetSocketAddress server, Duration max,
            Duration testTimeout, Duration initialRto) throws IOException {
        long idleNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100), max.toNanos() / 8);
        Duration survived = Duration.ZERO;
        InetSocketAddress bindY = new InetSocketAddress(port.localAddress().getAddress(), 0);
        try (DatagramPort other = DatagramPort.open(bindY)) {
            StunClient client = new StunClient(port, d -> { }, initialRto);
            while (idleNanos <= max.toNanos()) {
                InetSocketAddress mapped = client.binding(server, testTimeout).mapped();
                try {
                    TimeUnit.NANOSECONDS.sleep(idleNanos); // the idle period is the measurement
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted during a binding lifetime probe");
                }
                byte[] id = StunMessage.newTransactionId();
                int p = mapped.getPort();
                ByteBuffer request = StunMessage.builder(StunMessage.BINDING_REQUEST, id)
                        .add(StunAttribute.RESPONSE_PORT, new byte[] {(byte) (p >>> 8), (byte) p, 0, 0}).encode();
                other.send(request, server);
                DatagramPort.Datagram d = awaitResponse(port, id, testTimeout);
                if (d == null) {
                    if (awaitResponse(other, id, Duration.ofMillis(1)) != null) {
                        return Optional.empty();
                    }
                    return Optional.of(survived);
                }
                survived = Duration.ofNanos(idleNanos);
                idleNanos *= 2;
            }
            return Optional.of(survived);
        }
    }

    private static DatagramPort.Datagram awaitResponse(DatagramPort port, byte[] id, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                DatagramPort.Datagram d = port.receive(Duration.ofNanos(left));
                if (isMessage(d, StunMessage.BINDING_SUCCESS, id)) {
                    return d;
                }
            } catch (SocketTimeoutException quiet) {
                return null;
            }
        }
    }

    private static boolean isMessage(DatagramPort.Datagram d, int type, byte[] id) {
        if (!StunMessage.looksLikeStun(d.data())) {
            return false;
        }
        try {
            StunMessage m = StunMessage.decode(d.data());
            return m.type() == type && m.inTransaction(id);
        } catch (StunFormatException e) {
            return false;
        }
    }
}
