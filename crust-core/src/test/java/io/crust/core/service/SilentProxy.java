package io.crust.core.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy that can go silent: after {@link #blackHole()} it keeps every socket open but
 * forwards nothing, like a peer whose machine froze or whose network vanished without a FIN.
 */
final class SilentProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** The sockets towards the target, one per connection. */
    private final List<Socket> targetSides = new CopyOnWriteArrayList<>();
    private volatile boolean silent;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong corruptAfterBytes = new java.util.concurrent.atomic.AtomicLong(-1);

    SilentProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("test-proxy-accept").start(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    void blackHole() {
        silent = true;
    }

    /**
     * Resets every connection made so far (RST both ways, as when a NAT drops its mapping and answers
     * with resets) while new ones are still accepted and passed on.
     */
    void sever() throws IOException {
        for (Socket s : sockets) {
            sockets.remove(s);
            s.setSoLinger(true, 0);
            s.close();
        }
    }

    /**
     * Ends every connection made so far towards the target only, with a FIN, as if the dialling side
     * had closed it: the dialling side learns of it only when the target closes its end in turn, which
     * the proxy passes on as usual. So whatever the dialling side does next happens after the target
     * saw its connection end.
     */
    void closeTowardsTarget() throws IOException {
        for (Socket s : targetSides) {
            targetSides.remove(s);
            s.shutdownOutput();
        }
    }

    /** Flips one bit of the byte {@code offset} bytes into what the dialling side sends from now on. */
    void corruptUpstreamByteAt(long offset) {
        corruptAfterBytes.set(offset);
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket in = server.accept();
                accepted.incrementAndGet();
                Socket out = new Socket(target.getAddress(), target.getPort());
                sockets.add(in);
                sockets.add(out);
                targetSides.add(out);
                Thread.ofVirtual().start(() -> pump(in, out, true));
                Thread.ofVirtual().start(() -> pump(out, in, false));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void pump(Socket from, Socket to, boolean upstream) {
        byte[] buffer = new byte[16384];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (upstream) {
                    corrupt(buffer, n);
                }
                if (!silent) {
                    out.write(buffer, 0, n);
                }
            }
            // A silent path does not pass the FIN on either.
            if (!silent) {
                to.shutdownOutput();
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void corrupt(byte[] buffer, int n) {
        long at = corruptAfterBytes.get();
        if (at < 0) {
            return;
        }
        if (at < n) {
            buffer[(int) at] ^= 0x01;
            corruptAfterBytes.set(-1);
        } else {
            corruptAfterBytes.set(at - n);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
