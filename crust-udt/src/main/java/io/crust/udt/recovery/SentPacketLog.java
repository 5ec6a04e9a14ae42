package io.crust.udt.recovery;

/**
 * What the sender remembers about each packet until it is acknowledged or declared lost: send time,
 * size and the stream bytes it carried. Packet numbers are consecutive, so the log is a ring of
 * parallel arrays indexed by packet number, from the oldest unresolved packet to the next number.
 * It grows by doubling when the window outgrows it and never shrinks; no allocation per packet.
 *
 * <p>For delivery-rate estimation ({@link DeliveryRateSampler}) each in-flight packet also keeps the
 * connection's delivery state when it was sent: bytes delivered so far, when the last of them was
 * delivered, when the current flight began, and whether the sender was application-limited.
 */
public final class SentPacketLog {
    public static final int ACK_ELICITING = 1;
    public static final int IN_FLIGHT = 2;
    public static final int FIN = 4;
    public static final int MTU_PROBE = 8;
    public static final int ACK_FREQUENCY = 16;
    private static final int RESOLVED = 128; // acknowledged or declared lost

    private long[] sentTimeNanos;
    private long[] streamOffset;
    private int[] streamLength;
    private int[] sizeBytes;
    private byte[] flags;
    private long[] deliveredAtSend;
    private long[] deliveredTimeAtSend;
    private long[] firstSentTimeAtSend;
    private boolean[] appLimitedAtSend;
    private int mask;
    private long firstPacket; // oldest packet number not yet resolved (or nextPacket)
    private long nextPacket;

    public SentPacketLog(long firstPacketNumber) {
        allocate(1024);
        firstPacket = firstPacketNumber;
        nextPacket = firstPacketNumber;
    }

    private void allocate(int capacity) {
        sentTimeNanos = new long[capacity];
        streamOffset = new long[capacity];
        streamLength = new int[capacity];
        sizeBytes = new int[capacity];
        flags = new byte[capacity];
        deliveredAtSend = new long[capacity];
        deliveredTimeAtSend = new long[capacity];
        firstSentTimeAtSend = new long[capacity];
        appLimitedAtSend = new boolean[capacity];
        mask = capacity - 1;
    }

    /** The number the next packet gets. */
    public long nextPacketNumber() {
        return nextPacket;
    }

    /** Oldest unresolved packet number ({@link #nextPacketNumber()} when none). */
    public long firstUnresolved() {
        return firstPacket;
    }

    /** Records a packet; returns its number. */
    public long add(long nowNanos, int size, long offset, int length, int packetFlags) {
        if (nextPacket - firstPacket == mask + 1) {
            grow();
        }
        long pn = nextPacket++;
        int i = (int) pn & mask;
        sentTimeNanos[i] = nowNanos;
        sizeBytes[i] = size;
        streamOffset[i] = offset;
        streamLength[i] = length;
        flags[i] = (byte) packetFlags;
        deliveredAtSend[i] = 0;
        deliveredTimeAtSend[i] = 0;
        firstSentTimeAtSend[i] = 0;
        appLimitedAtSend[i] = false;
        return pn;
    }

    private void grow() {
        long[] t = sentTimeNanos;
        long[] o = streamOffset;
        int[] l = streamLength;
        int[] s = sizeBytes;
        byte[] f = flags;
        long[] d = deliveredAtSend;
        long[] dt = deliveredTimeAtSend;
        long[] fs = firstSentTimeAtSend;
        boolean[] al = appLimitedAtSend;
        int oldMask = mask;
        allocate((mask + 1) * 2);
        for (long pn = firstPacket; pn < nextPacket; pn++) {
            int from = (int) pn & oldMask;
            int to = (int) pn & mask;
            sentTimeNanos[to] = t[from];
            streamOffset[to] = o[from];
            streamLength[to] = l[from];
            sizeBytes[to] = s[from];
            flags[to] = f[from];
            deliveredAtSend[to] = d[from];
            deliveredTimeAtSend[to] = dt[from];
            firstSentTimeAtSend[to] = fs[from];
            appLimitedAtSend[to] = al[from];
        }
    }

    /** Whether {@code pn} was sent and is neither acknowledged nor lost yet. */
    public boolean isOutstanding(long pn) {
        return pn >= firstPacket && pn < nextPacket && (flags[(int) pn & mask] & RESOLVED) == 0;
    }

    public long sentTimeNanos(long pn) {
        return sentTimeNanos[(int) pn & mask];
    }

    public int sizeBytes(long pn) {
        return sizeBytes[(int) pn & mask];
    }

    public long streamOffset(long pn) {
        return streamOffset[(int) pn & mask];
    }

    public int streamLength(long pn) {
        return streamLength[(int) pn & mask];
    }

    public int flags(long pn) {
        return flags[(int) pn & mask] & ~RESOLVED;
    }

    /** Keeps the connection's delivery state at the time {@code pn} was sent. */
    public void recordDeliveryState(long pn, long delivered, long deliveredTimeNanos, long firstSentTimeNanos,
                                    boolean appLimited) {
        int i = (int) pn & mask;
        deliveredAtSend[i] = delivered;
        deliveredTimeAtSend[i] = deliveredTimeNanos;
        firstSentTimeAtSend[i] = firstSentTimeNanos;
        appLimitedAtSend[i] = appLimited;
    }

    /** Bytes the connection had delivered when {@code pn} was sent. */
    public long deliveredAtSend(long pn) {
        return deliveredAtSend[(int) pn & mask];
    }

    /** When the last of those bytes was delivered. */
    public long deliveredTimeAtSend(long pn) {
        return deliveredTimeAtSend[(int) pn & mask];
    }

    /** When the flight {@code pn} belongs to began (send time of the packet most recently acknowledged then). */
    public long firstSentTimeAtSend(long pn) {
        return firstSentTimeAtSend[(int) pn & mask];
    }

    /** Whether the sender was application-limited when {@code pn} was sent. */
    public boolean appLimitedAtSend(long pn) {
        return appLimitedAtSend[(int) pn & mask];
    }

    /** Marks {@code pn} acknowledged or lost, and moves the start of the log past resolved packets. */
    public void resolve(long pn) {
        flags[(int) pn & mask] |= (byte) RESOLVED;
        while (firstPacket < nextPacket && (flags[(int) firstPacket & mask] & RESOLVED) != 0) {
            firstPacket++;
        }
    }
}
