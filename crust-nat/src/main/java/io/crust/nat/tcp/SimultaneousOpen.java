package io.crust.nat.tcp;

import io.crust.nat.NatException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP simultaneous-open attempt (see {@link io.crust.nat.TcpSimultaneousOpen}): a listener
 * in its own virtual thread and a connect loop in the caller's thread, both on one local port.
 * The first socket connected to the expected peer wins; any later one is closed.
 */
public final class SimultaneousOpen {
    private static final Logger LOG = LoggerFactory.getLogger(SimultaneousOpen.class);
    /** Pause after a connect that failed at once (a RST), so refusals do not spin. */
    private static final long REFUSED_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final Duration window;
    private final Duration attempt;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition connected = lock.newCondition();
    private Socket winner;
    private int attempts;
    private String lastError = "none";

    public SimultaneousOpen(InetSocketAddress local, InetSocketAddress remote, Duration window, Duration attempt) {
        if (local.getPort() == 0) {
            throw new IllegalArgumentException("simultaneous open needs a concrete local port, got " + local);
        }
        if (attempt.toMillis() < 1 || window.isNegative()) {
            throw new IllegalArgumentException("attempt must be at least 1 ms and window not negative");
        }
        this.local = local;
        this.remote = remote;
        this.window = window;
        this.attempt = attempt;
    }

    public Socket run() throws IOException {
        long deadline = System.nanoTime() + window.toNanos();
        ServerSocket listener = new ServerSocket();
        Thread acceptor;
        try {
            reuse(listener);
            listener.bind(local, 8);
            acceptor = Thread.ofVirtual().name("crust-nat-tcp-accept-" + local.getPort())
                    .start(() -> acceptLoop(listener));
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        try {
            while (winnerOrNull() == null) {
                long remainingNanos = deadline - System.nanoTime();
                if (remainingNanos <= 0) {
                    break;
                }
                connectOnce(Math.min(remainingNanos, attempt.toNanos()));
            }
        } finally {
            listener.close();
            try {
                acceptor.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Socket result = winnerOrNull();
        if (result == null) {
            throw new NatException("TCP simultaneous open from port " + local.getPort() + " to " + remote
                    + " found no connection within " + window.toMillis() + " ms (" + attempts
                    + " connect attempts; last error: " + lastError + ")");
        }
        return result;
    }

    private void connectOnce(long timeoutNanos) {
        long start = System.nanoTime();
        Socket s = new Socket();
        try {
            reuse(s);
            s.bind(local);
            attempts++;
            s.connect(remote, (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
            offer(s);
            return;
        } catch (IOException e) {
            lastError = e.toString();
            closeQuietly(s);
        }
        long pauseNanos = REFUSED_PAUSE_NANOS - (System.nanoTime() - start);
        if (pauseNanos > 0) {
            awaitWinner(pauseNanos);
        }
    }

    private void acceptLoop(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                if (s.getInetAddress().equals(remote.getAddress())) {
                    offer(s);
                } else {
                    LOG.debug("closing a TCP connection from {} while waiting for {}", s.getRemoteSocketAddress(), remote);
                    closeQuietly(s);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    private void offer(Socket s) {
        lock.lock();
        try {
            if (winner == null) {
                winner = s;
                connected.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        LOG.debug("a second TCP connection came up ({}); keeping the first", s);
        closeQuietly(s);
    }

    private Socket winnerOrNull() {
        lock.lock();
        try {
            return winner;
        } finally {
            lock.unlock();
        }
    }

    private void awaitWinner(long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (winner == null && left > 0) {
                left = connected.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private static void reuse(java.io.Closeable socket) throws IOException {
        if (socket instanceof ServerSocket ss) {
            ss.setReuseAddress(true);
            setIfSupported(ss.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT),
                    () -> ss.setOption(StandardSocketOptions.SO_REUSEPORT, true));
        } else if (socket instanceof Socket s) {
            s.setReuseAddress(true);
            setIfSupported(s.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT),
                    () -> s.setOption(StandardSocketOptions.SO_REUSEPORT, true));
        }
    }

    private interface OptionSetter {
        void set() throws IOException;
    }

    private static void setIfSupported(boolean supported, OptionSetter setter) throws IOException {
        if (supported) {
            setter.set();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do: the socket is abandoned
        }
    }
}
