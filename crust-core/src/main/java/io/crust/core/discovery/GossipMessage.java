package io.crust.core.discovery;

import io.crust.core.CrustException;
import io.crust.core.PeerRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of peer records passed between connected peers, inside their encrypted channel.
 *
 * <p>All integers are big-endian. The diagram follows the style of RFC 791 section 3.1.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |   hops left   |         record count          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +             record 1 (see PeerRecord, self-delimiting)        +
 * |                              ...                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             record 2 ... up to record count                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * hops left:    how many more times a receiver may pass these records on (at most MAX_HOPS)
 * record count: 0 to MAX_RECORDS
 * </pre>
 * The decoder checks the count and the total size before it decodes any record, and each record is
 * decoded with the bytes that remain as its limit. Records are not verified here; {@link GossipStore}
 * verifies each before keeping or forwarding it.
 *
 * @param hopsLeft how many more times the records may be forwarded
 * @param records the records, at most {@link #MAX_RECORDS}
 */
public record GossipMessage(int hopsLeft, List<PeerRecord> records) {
    public static final int VERSION = 1;
    /** The highest hop count a message may carry. */
    public static final int MAX_HOPS = 8;
    /** The most records in one message. */
    public static final int MAX_RECORDS = 32;
    private static final int HEADER_BYTES = 4;
    /** The longest valid message. */
    public static final int MAX_ENCODED_BYTES = HEADER_BYTES + MAX_RECORDS * PeerRecord.MAX_ENCODED_BYTES;

    public GossipMessage {
        records = List.copyOf(records);
        if (hopsLeft < 0 || hopsLeft > MAX_HOPS) {
            throw new IllegalArgumentException("hops left " + hopsLeft + " is outside 0.." + MAX_HOPS);
        }
        if (records.size() > MAX_RECORDS) {
            throw new IllegalArgumentException("a gossip message holds at most " + MAX_RECORDS + " records, got " + records.size());
        }
    }

    /** The encoded message. */
    public byte[] encode() {
        int size = HEADER_BYTES;
        for (PeerRecord r : records) {
            size += r.encodedBytes();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION).put((byte) hopsLeft).putShort((short) records.size());
        for (PeerRecord r : records) {
            r.encodeTo(out);
        }
        return out.array();
    }

    /**
     * Decodes a whole message.
     *
     * @throws CrustException if the bytes are not exactly one well-formed message
     */
    public static GossipMessage decode(byte[] bytes) throws CrustException {
        if (bytes.length < HEADER_BYTES || bytes.length > MAX_ENCODED_BYTES) {
            throw new CrustException("gossip: " + bytes.length + " bytes is not a gossip message size");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int version = in.get() & 0xff;
        if (version != VERSION) {
            throw new CrustException("gossip: unsupported version " + version);
        }
        int hops = in.get() & 0xff;
        if (hops > MAX_HOPS) {
            throw new CrustException("gossip: hop count " + hops + " is above " + MAX_HOPS);
        }
        int count = in.getShort() & 0xffff;
        if (count > MAX_RECORDS) {
            throw new CrustException("gossip: " + count + " records, at most " + MAX_RECORDS + " allowed");
        }
        if ((long) count * PeerRecord.MIN_ENCODED_BYTES > in.remaining()) {
            throw new CrustException("gossip: " + count + " records cannot fit in " + in.remaining() + " bytes");
        }
        List<PeerRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(PeerRecord.decode(in, in.remaining()));
        }
        if (in.hasRemaining()) {
            throw new CrustException("gossip: " + in.remaining() + " bytes after the last record");
        }
        return new GossipMessage(hops, records);
    }
}
