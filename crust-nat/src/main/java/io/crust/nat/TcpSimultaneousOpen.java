package io.crust.nat;

import io.crust.nat.tcp.SimultaneousOpen;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * TCP through NATs by simultaneous open (RFC 5382 section 2.2, RFC 793 figure 8): both peers
 * bind the same local port they listen on (SO_REUSEADDR and SO_REUSEPORT), then connect to
 * each other's external address again and again within a bounded window. Each SYN going out
 * opens the sender's NAT for the other's SYN; when the two cross, the kernels complete one
 * connection. Whichever way it forms (our connect, or our listener accepting the other's SYN),
 * a 4-tuple holds one connection only, so both sides end with the same one; should two sockets
 * ever come up, the first stays and the later is closed.
 *
 * <p>It needs NATs that map TCP endpoint-independently (the external port predicted from UDP
 * or a mapping) and that drop, not reject, an unsolicited SYN (RFC 5382 REQ-4).
 */
public final class TcpSimultaneousOpen {
    /** How long one connect attempt waits before the next SYN. */
    public static final Duration DEFAULT_ATTEMPT = Duration.ofMillis(500);

    private TcpSimultaneousOpen() {
    }

    /**
     * Connects from {@code local} (a concrete port, the one that maps outward) to {@code remote}
     * (the peer's external address) within {@code window}.
     *
     * @param local  the local address to bind, with a concrete port
     * @param remote the peer's external address
     * @param window how long to keep trying
     * @return the connected socket; the caller owns it
     * @throws NatException when no connection formed within the window
     * @throws IOException  when a socket fails, for example {@code local} cannot be bound
     */
    public static Socket connect(InetSocketAddress local, InetSocketAddress remote, Duration window)
            throws IOException {
        return new SimultaneousOpen(local, remote, window, DEFAULT_ATTEMPT).run();
    }

    /**
     * As {@link #connect(InetSocketAddress, InetSocketAddress, Duration)} with a chosen attempt length.
     *
     * @param local   the local address to bind, with a concrete port
     * @param remote  the peer's external address
     * @param window  how long to keep trying
     * @param attempt how long one connect attempt waits before the next SYN
     * @return the connected socket; the caller owns it
     * @throws NatException when no connection formed within the window
     * @throws IOException  when a socket fails, for example {@code local} cannot be bound
     */
    public static Socket connect(InetSocketAddress local, InetSocketAddress remote, Duration window,
            Duration attempt) throws IOException {
        return new SimultaneousOpen(local, remote, window, attempt).run();
    }
}
