package io.crust.nat.punch;

import io.crust.nat.DatagramChannelPort;
import io.crust.nat.DatagramPort;
import io.crust.nat.PunchOptions;
import io.crust.nat.PunchOffer;
import io.crust.nat.PunchResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket edge of one punch: runs a {@link PunchAgent} in the caller's thread against the
 * caller's port and, on a symmetric side facing a cone side, against extra non-blocking channels
 * polled through one {@link Selector}. Everything it opens, it closes, except the extra channel a
 * path was found on, which goes back to blocking mode and to the caller inside the
 * {@link PunchResult}. No thread outlives the call, and nothing reads the caller's port after it.
 */
public final class PunchSession {
    private static final Logger LOG = LoggerFactory.getLogger(PunchSession.class);
    /** The controlled side keeps answering this long after it selected, so the nomination's answer gets through. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /** The shortest wait for a datagram, so that each loop turn reads what has arrived. */
    private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Datagrams read in one turn before sending again. */
    private static final int MAX_DRAIN = 64;
    /** How often the caller's port is polled while extra ports are open. */
    private static final long EXTRA_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final DatagramPort port;
    private final PunchOffer mine;
    private final PunchOffer theirs;
    private final PunchOptions options;
    private final List<DatagramChannel> extras = new ArrayList<>();
    private final ByteBuffer extraBuffer = ByteBuffer.allocate(2048);
    private Selector selector;

    public PunchSession(DatagramPort port, PunchOffer mine, PunchOffer theirs, PunchOptions options) {
        this.port = port;
        this.mine = mine;
        this.theirs = theirs;
        this.options = options;
    }

    public PunchResult run() throws IOException {
        boolean birthdaySide = mine.endpointDependentMapping() && !theirs.endpointDependentMapping();
        int extraCount = birthdaySide ? options.birthdayPorts() : 0;
        DatagramChannel kept = null;
        try {
            openExtras(extraCount);
            PunchAgent agent = new PunchAgent(mine, theirs, options, extras.size(), 1024, 65535,
                    ThreadLocalRandom.current(), System.nanoTime());
            LOG.debug("punch: {} against {} candidates, {} extra ports, controlling={}", port.localAddress(),
                    theirs.candidates().size(), extras.size(), agent.controlling());
            loop(agent);
            PunchAgent.Outcome o = agent.outcome();
            Duration elapsed = Duration.ofNanos(agent.elapsedNanos(System.nanoTime()));
            if (!o.connected()) {
                return PunchResult.noDirectPath(agent.controlling(), elapsed, agent.probesSent(), o.reason());
            }
            DatagramPort path = port;
            String how = o.reason();
            if (o.socket() > 0) {
                kept = extras.get(o.socket() - 1);
                kept.keyFor(selector).cancel();
                selector.selectNow();
                kept.configureBlocking(true);
                path = DatagramChannelPort.of(kept);
                how += " (birthday port " + path.localAddress().getPort() + ")";
            }
            return PunchResult.connected(path, o.remote(), o.remoteType(), agent.controlling(), elapsed,
                    agent.probesSent(), how);
        } finally {
            closeExtras(kept);
        }
    }

    private void loop(PunchAgent agent) throws IOException {
        long lingerUntil = 0;
        while (true) {
            long now = System.nanoTime();
            for (PunchAgent.Send s : agent.poll(now)) {
                send(s);
            }
            if (agent.outcome() != null) {
                if (!agent.outcome().connected() || agent.controlling()) {
                    return;
                }
                if (lingerUntil == 0) {
                    lingerUntil = now + LINGER_NANOS;
                } else if (now - lingerUntil >= 0) {
                    return;
                }
            }
            long wake = agent.outcome() != null ? lingerUntil : agent.nextWakeNanos();
            // Always read, even when sending is overdue: on a busy machine a loop that only sends
            // when late would never hear the answers.
            long waitNanos = Math.max(MIN_WAIT_NANOS, wake - now);
            if (!extras.isEmpty()) {
                waitNanos = Math.min(waitNanos, EXTRA_POLL_NANOS);
            }
            try {
                deliver(agent, 0, port.receive(Duration.ofNanos(waitNanos)));
                for (int drained = 0; drained < MAX_DRAIN; drained++) {
                    deliver(agent, 0, port.receive(Duration.ofNanos(MIN_WAIT_NANOS)));
                }
            } catch (SocketTimeoutException drainedAll) {
                // nothing more for now: on to the extra sockets and the agent's timers
            }
            if (selector != null && selector.selectNow() > 0) {
                for (SelectionKey key : selector.selectedKeys()) {
                    readExtra(agent, key);
                }
                selector.selectedKeys().clear();
            }
        }
    }

    private void deliver(PunchAgent agent, int socket, DatagramPort.Datagram d) throws IOException {
        for (PunchAgent.Send s : agent.onDatagram(socket, d.data(), d.sender(), System.nanoTime())) {
            send(s);
        }
    }

    private void send(PunchAgent.Send s) {
        try {
            if (s.socket() == 0) {
                port.send(s.bytes(), s.to());
            } else {
                extras.get(s.socket() - 1).send(s.bytes(), s.to());
            }
        } catch (IOException e) {
            // One unroutable candidate (say, a host address on another network) must not end the punch.
            LOG.debug("punch: send to {} failed: {}", s.to(), e.toString());
        }
    }

    private void readExtra(PunchAgent agent, SelectionKey key) throws IOException {
        DatagramChannel channel = (DatagramChannel) key.channel();
        int socket = (Integer) key.attachment();
        while (true) {
            extraBuffer.clear();
            InetSocketAddress from = (InetSocketAddress) channel.receive(extraBuffer);
            if (from == null) {
                return;
            }
            extraBuffer.flip();
            ByteBuffer copy = ByteBuffer.allocate(extraBuffer.remaining()).put(extraBuffer).flip();
            deliver(agent, socket, new DatagramPort.Datagram(copy, from));
        }
    }

    private void openExtras(int count) throws IOException {
        if (count == 0) {
            return;
        }
        selector = Selector.open();
        InetSocketAddress bind = new InetSocketAddress(port.localAddress().getAddress(), 0);
        for (int i = 0; i < count; i++) {
            DatagramChannel channel = DatagramChannel.open();
            extras.add(channel);
            channel.bind(bind);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, i + 1);
        }
    }

    private void closeExtras(DatagramChannel kept) {
        for (DatagramChannel c : extras) {
            if (c != kept) {
                try {
                    c.close();
                } catch (IOException e) {
                    LOG.debug("punch: closing an extra port: {}", e.toString());
                }
            }
        }
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("punch: closing the selector: {}", e.toString());
            }
        }
    }
}
