package io.crust.core.discovery;

import io.crust.core.CrustException;
import io.crust.core.PeerRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The LAN beacon datagram: a signed {@link PeerRecord} behind a small header that lets a receiver drop
 * foreign traffic and beacons of other networks before doing any signature work.
 *
 * <p>All integers are big-endian. The diagram follows the style of RFC 791 section 3.1.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      'C'      |      'R'      |      'L'      |      'B'      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |                 reserved = 0                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +     network tag: SHA-256("crust-lan-v1" || network name)      +
 * |                       first 8 bytes                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +           peer record (see PeerRecord), to the end            +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * The network tag is a filter, not a secret: the record's signature also covers the network name, so a
 * beacon with a copied tag but a record signed for another network still fails verification.
 */
final class Beacon {
    static final int VERSION = 1;
    static final int HEADER_BYTES = 16;
    static final int TAG_BYTES = 8;
    /** Largest valid beacon; a datagram buffer one byte larger detects oversized datagrams. */
    static final int MAX_BYTES = HEADER_BYTES + PeerRecord.MAX_ENCODED_BYTES;
    private static final byte[] MAGIC = {'C', 'R', 'L', 'B'};

    private Beacon() {
    }

    /** The 8-byte tag of a network name. */
    static byte[] networkTag(String networkName) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("crust-lan-v1".getBytes(StandardCharsets.US_ASCII));
            sha256.update(networkName.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(sha256.digest(), TAG_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static byte[] encode(byte[] networkTag, PeerRecord record) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + record.encodedBytes());
        out.put(MAGIC).put((byte) VERSION).put(new byte[3]).put(networkTag);
        record.encodeTo(out);
        return out.array();
    }

    /**
     * Decodes a beacon of the network with tag {@code networkTag}. The record's signature is not checked.
     *
     * @throws CrustException if the datagram is not a beacon of that network or is malformed
     */
    static PeerRecord decode(ByteBuffer datagram, byte[] networkTag) throws CrustException {
        if (datagram.remaining() < HEADER_BYTES || datagram.remaining() > MAX_BYTES) {
            throw new CrustException("beacon: " + datagram.remaining() + " bytes is not a beacon size");
        }
        byte[] header = new byte[HEADER_BYTES];
        datagram.get(header);
        if (!Arrays.equals(header, 0, 4, MAGIC, 0, 4)) {
            throw new CrustException("beacon: wrong magic");
        }
        if (header[4] != VERSION) {
            throw new CrustException("beacon: unsupported version " + (header[4] & 0xff));
        }
        if (header[5] != 0 || header[6] != 0 || header[7] != 0) {
            throw new CrustException("beacon: reserved bytes are not zero");
        }
        if (!Arrays.equals(header, 8, 16, networkTag, 0, TAG_BYTES)) {
            throw new CrustException("beacon: another network");
        }
        PeerRecord record = PeerRecord.decode(datagram, datagram.remaining());
        if (datagram.hasRemaining()) {
            throw new CrustException("beacon: " + datagram.remaining() + " bytes after the record");
        }
        return record;
    }
}
