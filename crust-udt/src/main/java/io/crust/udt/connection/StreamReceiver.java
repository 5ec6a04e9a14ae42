package io.crust.udt.connection;

import io.crust.udt.packet.Frames;
import io.crust.udt.window.ReceiveBuffer;
import java.nio.ByteBuffer;

/**
 * The receiving half of the ordered byte stream: reassembly, the end-of-stream marker, and the
 * receive window (flow control) this side advertises.
 */
final class StreamReceiver {
    private static final int MAX_GAPS = 2048;

    private final ReceiveBuffer buffer;
    private final int capacityBytes;
    private long finOffset = -1;
    private long advertisedLimit;
    private long bytesDelivered;

    StreamReceiver(int capacityBytes) {
        this.buffer = new ReceiveBuffer(capacityBytes, MAX_GAPS);
        this.capacityBytes = capacityBytes;
        this.advertisedLimit = capacityBytes;
    }

    /**
     * Takes in a STREAM frame.
     *
     * @return null if accepted, else why the frame breaks the protocol
     */
    String onFrame(Frames.Stream frame, ByteBuffer datagram) {
        long end = frame.offset() + frame.length();
        if (end > buffer.limitOffset()) {
            return "peer sent beyond the receive window";
        }
        if (finOffset >= 0 && end > finOffset) {
            return "peer sent beyond its end of stream";
        }
        if (frame.fin()) {
            if (finOffset >= 0 && finOffset != end) {
                return "peer moved its end of stream";
            }
            if (end < buffer.highestReceived()) {
                return "peer ended its stream below data it sent";
            }
            finOffset = end;
        }
        buffer.put(frame.offset(), datagram, frame.dataPosition(), frame.length());
        return null;
    }

    int readableBytes() {
        return buffer.readableBytes();
    }

    int read(byte[] dst, int off, int len) {
        int n = buffer.read(dst, off, len);
        bytesDelivered += n;
        return n;
    }

    /** The peer ended its stream and everything up to the end has been read. */
    boolean atEnd() {
        return finOffset >= 0 && buffer.readOffset() == finOffset;
    }

    boolean finReceived() {
        return finOffset >= 0;
    }

    long limitOffset() {
        return buffer.limitOffset();
    }

    /** Whether reading has opened the window enough to tell the peer now rather than later. */
    boolean windowUpdateWorthSending() {
        return buffer.limitOffset() - advertisedLimit >= capacityBytes / 4;
    }

    void onLimitAdvertised() {
        advertisedLimit = buffer.limitOffset();
    }

    long bytesDelivered() {
        return bytesDelivered;
    }

    /** Bytes of buffer pages allocated. */
    long allocatedBytes() {
        return buffer.allocatedBytes();
    }

    /** Hands the buffer's pages back once the application is done with the connection. */
    void release() {
        buffer.release();
    }
}
