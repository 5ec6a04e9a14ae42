package io.crust.core.frame;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Two connected in-memory {@link FrameTransport}s, for protocol tests without sockets. Each direction
 * can be given a tamper function that rewrites (or drops, by returning null) frames in flight.
 */
public final class FramePipe {
    private final End a;
    private final End b;

    private FramePipe(int maxFrameBytes) {
        Direction ab = new Direction();
        Direction ba = new Direction();
        a = new End(ab, ba, maxFrameBytes, new InetSocketAddress("127.0.0.1", 40001));
        b = new End(ba, ab, maxFrameBytes, new InetSocketAddress("127.0.0.1", 40002));
    }

    /** A pipe whose ends allow frames of up to {@code maxFrameBytes}. */
    public static FramePipe create(int maxFrameBytes) {
        return new FramePipe(maxFrameBytes);
    }

    /** The end that usually dials. */
    public End a() {
        return a;
    }

    /** The end that usually accepts. */
    public End b() {
        return b;
    }

    /** One endpoint of the pipe. */
    public static final class End implements FrameTransport {
        private final Direction out;
        private final Direction in;
        private final int maxFrameBytes;
        private final InetSocketAddress remote;

        private End(Direction out, Direction in, int maxFrameBytes, InetSocketAddress remote) {
            this.out = out;
            this.in = in;
            this.maxFrameBytes = maxFrameBytes;
            this.remote = remote;
        }

        /** Rewrites frames this end sends before the other end sees them (null drops the frame). */
        public void tamperOutgoing(UnaryOperator<byte[]> tamper) {
            out.tamper(tamper);
        }

        @Override
        public void writeFrame(byte[] frame, int offset, int length) throws IOException {
            if (length > maxFrameBytes) {
                throw new IllegalArgumentException("frame of " + length + " bytes over " + maxFrameBytes);
            }
            out.put(Arrays.copyOfRange(frame, offset, offset + length));
        }

        @Override
        public byte[] readFrame() throws IOException {
            return in.take();
        }

        @Override
        public int maxFrameBytes() {
            return maxFrameBytes;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return remote;
        }

        /**
         * Like closing a socket: frames already sent still reach the other end, then it reads the end
         * of the stream; this end's own reader stops at once.
         */
        @Override
        public void close() {
            out.finish();
            in.abort();
        }
    }

    private static final class Direction {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
        private UnaryOperator<byte[]> tamper = UnaryOperator.identity();
        private boolean finished;
        private boolean aborted;

        void tamper(UnaryOperator<byte[]> function) {
            lock.lock();
            try {
                tamper = function;
            } finally {
                lock.unlock();
            }
        }

        void put(byte[] frame) throws IOException {
            lock.lock();
            try {
                if (finished || aborted) {
                    throw new IOException("pipe closed");
                }
                byte[] delivered = tamper.apply(frame);
                if (delivered != null) {
                    frames.add(delivered);
                    notEmpty.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        byte[] take() throws IOException {
            lock.lock();
            try {
                while (frames.isEmpty() && !finished && !aborted) {
                    notEmpty.await();
                }
                if (aborted) {
                    throw new IOException("pipe closed locally");
                }
                if (!frames.isEmpty()) {
                    return frames.removeFirst();
                }
                throw new EOFException("pipe closed by the other end");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading the pipe");
            } finally {
                lock.unlock();
            }
        }

        void finish() {
            lock.lock();
            try {
                finished = true;
                notEmpty.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void abort() {
            lock.lock();
            try {
                aborted = true;
                frames.clear();
                notEmpty.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
