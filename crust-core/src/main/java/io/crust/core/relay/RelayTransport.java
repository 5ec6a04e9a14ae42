package io.crust.core.relay;

import io.crust.core.CrustException;
import io.crust.core.frame.FrameTransport;
import io.crust.core.peer.PeerConnection;
import io.crust.core.wire.WireMessage;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a relay circuit seen as a {@link FrameTransport}: frames written here travel as RELAY_DATA
 * over the (already encrypted) connection to the relay, and the relay passes them, still encrypted
 * end to end by the secure channel run on top of this transport, to the other end.
 *
 * <p>Received frames wait in a bounded queue; when it is full, the connection reader that delivers
 * them blocks, which pushes back on the relay.
 */
final class RelayTransport implements FrameTransport {
    private static final int MAX_QUEUED_FRAMES = 64;
    static final int MAX_FRAME_BYTES = 65535;

    private final PeerConnection relay;
    private final int circuit;
    private final Runnable onClose;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private boolean closed;
    private String closeReason;

    RelayTransport(PeerConnection relay, int circuit, Runnable onClose) {
        this.relay = relay;
        this.circuit = circuit;
        this.onClose = onClose;
    }

    PeerConnection relay() {
        return relay;
    }

    int circuit() {
        return circuit;
    }

    @Override
    public void writeFrame(byte[] frame, int offset, int length) throws IOException {
        if (length > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("frame of " + length + " bytes exceeds " + MAX_FRAME_BYTES);
        }
        lock.lock();
        try {
            if (closed) {
                throw new EOFException("relay circuit closed: " + closeReason);
            }
        } finally {
            lock.unlock();
        }
        byte[] copy = new byte[length];
        System.arraycopy(frame, offset, copy, 0, length);
        try {
            relay.sendBlocking(new WireMessage.RelayData(circuit, copy));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrustException("interrupted while sending on relay circuit " + circuit);
        }
    }

    /** Called by the relay connection's reader with a frame for this circuit; blocks while the queue is full. */
    void deliver(byte[] frame) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (frames.size() >= MAX_QUEUED_FRAMES && !closed) {
                changed.await();
            }
            if (!closed) {
                frames.addLast(frame);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] readFrame() throws IOException {
        lock.lock();
        try {
            while (frames.isEmpty()) {
                if (closed) {
                    throw new EOFException("relay circuit closed: " + closeReason);
                }
                changed.awaitUninterruptibly();
            }
            byte[] frame = frames.removeFirst();
            changed.signalAll();
            return frame;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int maxFrameBytes() {
        return MAX_FRAME_BYTES;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return relay.remoteAddress();
    }

    /** The relay or the other end closed the circuit. */
    void closedRemotely(String reason) {
        if (markClosed(reason)) {
            onClose.run();
        }
    }

    @Override
    public void close() {
        if (markClosed("closed locally")) {
            // Behind our last frames (a RETIRE, a goodbye): on the control lane it could overtake them
            // and the relay would drop them with the circuit.
            relay.sendAfterData(new WireMessage.RelayClose(circuit, "closed"));
            onClose.run();
        }
    }

    private boolean markClosed(String reason) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            closeReason = reason;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }
}
