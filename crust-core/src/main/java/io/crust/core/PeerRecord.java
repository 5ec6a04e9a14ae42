package io.crust.core;

import io.crust.nat.HostPort;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A signed statement by a peer: "I am this peer id, and these are the addresses where you may reach
 * me". Peer records travel in LAN beacons, in gossip and in rendezvous messages; whoever passes one on
 * cannot change it without breaking the signature.
 *
 * <p>A record is a <em>hint</em>, never a credential: it only tells a node where to dial. The Noise
 * handshake then proves that the remote side holds the peer id's key. What the signature adds is that
 * nobody but the peer can announce addresses in its name, so a relaying node cannot redirect a peer's
 * traffic by rewriting its record, and an old record cannot replace a newer one ({@link #sequence()}).
 *
 * <h2>Wire format</h2>
 * All integers are big-endian (network byte order). The diagram follows the style of RFC 791 section 3.1.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  | address count |         reserved = 0          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +          peer id: Ed25519 public key (32 bytes)               +
 * |                              ...                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  sequence (unsigned 64 bits)                  |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           address 1 (8 or 20 bytes, see below)                |
 * |                              ...                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           address N                                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +          Ed25519 signature (64 bytes, RFC 8032 section 5.1.6) +
 * |                              ...                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Each address:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |transp.|  kind |  IP version   |         port (1-65535)        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        IPv4 address (4 bytes) or IPv6 address (16 bytes)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * transp. (4 bits): 1 = TCP, 2 = UDT (crust-udt over UDP)
 * kind    (4 bits): 1 = host, 2 = server reflexive (seen by STUN), 3 = mapped (UPnP / NAT-PMP / PCP)
 * IP version:       4 or 6
 * </pre>
 *
 * <p>The signature is Ed25519 (RFC 8032 section 5.1) by the peer id's key over
 * <pre>
 *   "crust-peer-record-v1" || network name length (1 byte) || network name (UTF-8) || record bytes
 * </pre>
 * where "record bytes" is everything before the signature. The network name is not sent: a record
 * signed for another network simply fails {@link #verify(String)}, so records never leak between
 * networks.
 *
 * <p>{@link #decode} checks every length and field before it allocates anything, caps the address
 * count at {@value #MAX_ADDRESSES} and never reads more than {@link #MAX_ENCODED_BYTES}.
 * Decoding does not verify the signature; call {@link #verify(String)} before trusting anything.
 */
public final class PeerRecord {
    /** The only version this code writes and reads. */
    public static final int VERSION = 1;
    /** At most this many addresses in one record. */
    public static final int MAX_ADDRESSES = 16;
    /** Length of an Ed25519 signature. */
    public static final int SIGNATURE_BYTES = 64;
    /** Longest network name, in UTF-8 bytes. */
    public static final int MAX_NETWORK_NAME_BYTES = 255;

    private static final int HEADER_BYTES = 4 + PeerId.KEY_BYTES + 8;
    private static final int ADDRESS_HEADER_BYTES = 4;
    /** Shortest possible record: no address. */
    public static final int MIN_ENCODED_BYTES = HEADER_BYTES + SIGNATURE_BYTES;
    /** Longest possible record: {@value #MAX_ADDRESSES} IPv6 addresses. */
    public static final int MAX_ENCODED_BYTES = MIN_ENCODED_BYTES + MAX_ADDRESSES * (ADDRESS_HEADER_BYTES + 16);

    private static final byte[] SIGNING_CONTEXT = "crust-peer-record-v1".getBytes(StandardCharsets.US_ASCII);

    /** How the peer learnt the address (the ICE candidate types of RFC 8445 section 5.1.1). */
    public enum Kind {
        /** An address of one of the peer's own interfaces. */
        HOST(1),
        /** The peer's address as seen from outside its NAT, learnt by STUN. */
        REFLEXIVE(2),
        /** A port mapping the peer made on its gateway with UPnP, NAT-PMP or PCP. */
        MAPPED(3);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** {@return the kind's code on the wire: 1 host, 2 reflexive, 3 mapped} */
        public int code() {
            return code;
        }

        /**
         * Reads a wire code without an exception for an unknown one.
         *
         * @param code a wire code, as {@link #code()} gives
         * @return the kind with this wire code; empty for an unknown code
         */
        public static java.util.Optional<Kind> fromCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return java.util.Optional.of(k);
                }
            }
            return java.util.Optional.empty();
        }

        static Kind ofCode(int code) throws CrustException {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new CrustException("peer record: unknown address kind " + code);
        }
    }

    /**
     * One address of a peer.
     *
     * @param transport which transport listens there (a UDT address is a UDP port)
     * @param kind how the peer learnt it
     * @param socketAddress a resolved IPv4 or IPv6 address and a port from 1 to 65535
     */
    public record Address(Transport transport, Kind kind, InetSocketAddress socketAddress) {
        /**
         * Checks that the address is resolved and has a port.
         *
         * @throws IllegalArgumentException if socketAddress is unresolved or has port 0
         */
        public Address {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(socketAddress, "socketAddress");
            if (socketAddress.isUnresolved()) {
                throw new IllegalArgumentException("a peer record address must be resolved: " + socketAddress);
            }
            if (socketAddress.getPort() == 0) {
                throw new IllegalArgumentException("a peer record address needs a port: " + socketAddress);
            }
        }

        /**
         * Parses the text form written by {@link #toString()}: {@code transport/kind/ip:port}, for example
         * {@code udt/reflexive/[2001:db8::1]:5483}. The IP must be a literal; no name is looked up.
         *
         * @param text the text form, transport and kind in any case
         * @return the address
         * @throws IllegalArgumentException with a message saying what is wrong
         */
        public static Address parse(String text) {
            String[] parts = text.strip().split("/", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("'" + text + "' is not transport/kind/ip:port");
            }
            Transport transport = switch (parts[0].toLowerCase(Locale.ROOT)) {
                case "tcp" -> Transport.TCP;
                case "udt" -> Transport.UDT;
                default -> throw new IllegalArgumentException("unknown transport '" + parts[0] + "' in '" + text + "'");
            };
            Kind kind;
            try {
                kind = Kind.valueOf(parts[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown address kind '" + parts[1] + "' in '" + text + "'");
            }
            return new Address(transport, kind, parseSocketAddress(parts[2]));
        }

        /**
         * Parses a literal {@code ip:port} or {@code [ipv6]:port}; no name is looked up.
         *
         * @param text the literal address and port
         * @return the address, built from the literal's bytes
         * @throws IllegalArgumentException when the text is malformed or its host is a name
         * @see HostPort#literal(String)
         */
        public static InetSocketAddress parseSocketAddress(String text) {
            return HostPort.literal(text);
        }

        /** Short text form for logs and files, for example {@code tcp/host/192.0.2.1:5483}. */
        @Override
        public String toString() {
            InetAddress ip = socketAddress.getAddress();
            String host = ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
            return transport.name().toLowerCase(Locale.ROOT) + "/" + kind.name().toLowerCase(Locale.ROOT)
                    + "/" + host + ":" + socketAddress.getPort();
        }

        private int encodedBytes() {
            return ADDRESS_HEADER_BYTES + socketAddress.getAddress().getAddress().length;
        }
    }

    private final PeerId peerId;
    private final long sequence;
    private final List<Address> addresses;
    private final byte[] encoded;

    private PeerRecord(PeerId peerId, long sequence, List<Address> addresses, byte[] encoded) {
        this.peerId = peerId;
        this.sequence = sequence;
        this.addresses = addresses;
        this.encoded = encoded;
    }

    /**
     * Signs a new record with {@code identity} for the network {@code networkName}.
     *
     * @param identity    the peer's identity; its key signs the record and its id is the record's
     * @param networkName the network the record is valid in; {@link #verify(String)} needs the same name
     * @param sequence a number the peer increases each time its addresses change; a node keeps the
     *        record with the highest sequence (compared as unsigned). The wall-clock time in
     *        milliseconds is a good choice: it grows across restarts without being stored.
     * @param addresses   the peer's addresses in order of preference, at most {@value #MAX_ADDRESSES}; copied
     * @return the signed record
     * @throws IllegalArgumentException if there are more than {@value #MAX_ADDRESSES} addresses or the
     *         network name is longer than {@value #MAX_NETWORK_NAME_BYTES} UTF-8 bytes
     */
    public static PeerRecord signed(Identity identity, String networkName, long sequence, List<Address> addresses) {
        Objects.requireNonNull(identity, "identity");
        PeerId peerId = identity.peerId();
        byte[] network = networkBytes(networkName);
        List<Address> copy = List.copyOf(addresses);
        if (copy.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("a peer record holds at most " + MAX_ADDRESSES + " addresses, got " + copy.size());
        }
        int size = HEADER_BYTES + SIGNATURE_BYTES;
        for (Address a : copy) {
            size += a.encodedBytes();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put((byte) VERSION).put((byte) copy.size()).putShort((short) 0);
        out.put(peerId.publicKey());
        out.putLong(sequence);
        for (Address a : copy) {
            InetSocketAddress sa = a.socketAddress();
            byte[] ip = sa.getAddress().getAddress();
            int transportCode = a.transport() == Transport.TCP ? 1 : 2;
            out.put((byte) (transportCode << 4 | a.kind().code));
            out.put((byte) (ip.length == 4 ? 4 : 6));
            out.putShort((short) sa.getPort());
            out.put(ip);
        }
        byte[] signature = identity.sign(signedMessage(network, out.array(), out.position()));
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            throw new IllegalStateException("the signer returned no Ed25519 signature");
        }
        out.put(signature);
        return new PeerRecord(peerId, sequence, copy, out.array());
    }

    /**
     * Decodes one record from the start of {@code bytes}, which must hold exactly one record.
     *
     * @param bytes the encoded record, as {@link #encode()} gives
     * @return the record, not yet verified
     * @throws CrustException if the bytes are not a well-formed record (the signature is not checked)
     */
    public static PeerRecord decode(byte[] bytes) throws CrustException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        PeerRecord record = decode(in, MAX_ENCODED_BYTES);
        if (in.hasRemaining()) {
            throw new CrustException("peer record: " + in.remaining() + " bytes after the end of the record");
        }
        return record;
    }

    /**
     * Decodes one record from {@code in}, starting at its position, reading at most {@code maxBytes}
     * (and never more than {@link #MAX_ENCODED_BYTES}). On success the position is just after the
     * record; on failure it is unspecified.
     *
     * @param in       the buffer to read from
     * @param maxBytes the most bytes the record may take
     * @return the record, not yet verified
     * @throws CrustException if the bytes are not a well-formed record (the signature is not checked)
     */
    public static PeerRecord decode(ByteBuffer in, int maxBytes) throws CrustException {
        int limit = Math.min(Math.min(maxBytes, MAX_ENCODED_BYTES), in.remaining());
        if (limit < MIN_ENCODED_BYTES) {
            throw new CrustException("peer record: " + limit + " bytes available, a record has at least " + MIN_ENCODED_BYTES);
        }
        int start = in.position();
        try {
            int version = in.get() & 0xff;
            if (version != VERSION) {
                throw new CrustException("peer record: unsupported version " + version);
            }
            int count = in.get() & 0xff;
            if (count > MAX_ADDRESSES) {
                throw new CrustException("peer record: " + count + " addresses, at most " + MAX_ADDRESSES + " allowed");
            }
            int reserved = in.getShort() & 0xffff;
            if (reserved != 0) {
                throw new CrustException("peer record: reserved field is " + reserved + ", must be 0");
            }
            // The smallest record with this many addresses must fit before anything is allocated.
            if (MIN_ENCODED_BYTES + count * (ADDRESS_HEADER_BYTES + 4) > limit) {
                throw new CrustException("peer record: " + count + " addresses cannot fit in " + limit + " bytes");
            }
            byte[] key = new byte[PeerId.KEY_BYTES];
            in.get(key);
            PeerId peerId;
            try {
                peerId = PeerId.fromPublicKey(key);
            } catch (IllegalArgumentException e) {
                throw new CrustException("peer record: the peer id is not a valid Ed25519 public key");
            }
            long sequence = in.getLong();
            List<Address> addresses = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                addresses.add(decodeAddress(in, start + limit - SIGNATURE_BYTES, i + 1));
            }
            if (in.position() + SIGNATURE_BYTES > start + limit) {
                throw new CrustException("peer record: truncated before the signature");
            }
            in.position(in.position() + SIGNATURE_BYTES);
            byte[] encoded = new byte[in.position() - start];
            in.get(start, encoded);
            return new PeerRecord(peerId, sequence, List.copyOf(addresses), encoded);
        } catch (BufferUnderflowException e) {
            throw new CrustException("peer record: truncated");
        }
    }

    private static Address decodeAddress(ByteBuffer in, int end, int index) throws CrustException {
        if (in.position() + ADDRESS_HEADER_BYTES > end) {
            throw new CrustException("peer record: address " + index + " is truncated");
        }
        int typeByte = in.get() & 0xff;
        Transport transport = switch (typeByte >>> 4) {
            case 1 -> Transport.TCP;
            case 2 -> Transport.UDT;
            default -> throw new CrustException("peer record: address " + index + " has unknown transport " + (typeByte >>> 4));
        };
        Kind kind = Kind.ofCode(typeByte & 0x0f);
        int ipVersion = in.get() & 0xff;
        int port = in.getShort() & 0xffff;
        if (port == 0) {
            throw new CrustException("peer record: address " + index + " has port 0");
        }
        int ipBytes = switch (ipVersion) {
            case 4 -> 4;
            case 6 -> 16;
            default -> throw new CrustException("peer record: address " + index + " has IP version " + ipVersion);
        };
        if (in.position() + ipBytes > end) {
            throw new CrustException("peer record: address " + index + " is truncated");
        }
        byte[] ip = new byte[ipBytes];
        in.get(ip);
        InetAddress inet;
        try {
            inet = InetAddress.getByAddress(ip);
        } catch (UnknownHostException e) {
            throw new CrustException("peer record: address " + index + " is not an IP address");
        }
        // An IPv4-mapped IPv6 address comes back as Inet4Address; refuse it so every address has one form.
        if (ipBytes == 16 && inet instanceof Inet4Address) {
            throw new CrustException("peer record: address " + index + " is an IPv4-mapped IPv6 address");
        }
        return new Address(transport, kind, new InetSocketAddress(inet, port));
    }

    /** {@return the peer this record speaks for} Only trusted after {@link #verify(String)}. */
    public PeerId peerId() {
        return peerId;
    }

    /** {@return the peer's sequence number} A higher one (unsigned) replaces a lower one. */
    public long sequence() {
        return sequence;
    }

    /**
     * Compares sequence numbers as unsigned.
     *
     * @param other another record
     * @return true if this record is newer than {@code other} (same peer or not: only the sequences are compared)
     */
    public boolean isNewerThan(PeerRecord other) {
        return Long.compareUnsigned(sequence, other.sequence) > 0;
    }

    /** {@return the addresses, in the order the peer listed them (its preference)} */
    public List<Address> addresses() {
        return addresses;
    }

    /** {@return a copy of the encoded record, signature included} */
    public byte[] encode() {
        return encoded.clone();
    }

    /**
     * Writes the encoded record to {@code out}.
     *
     * @param out a buffer with at least {@link #encodedBytes()} bytes remaining
     * @throws java.nio.BufferOverflowException if {@code out} has less room
     */
    public void encodeTo(ByteBuffer out) {
        out.put(encoded);
    }

    /** {@return the length of {@link #encode()} in bytes} */
    public int encodedBytes() {
        return encoded.length;
    }

    /**
     * True if the signature is the peer id's Ed25519 signature of this record for the network
     * {@code networkName}. A record from another network, or altered in any byte, returns false.
     *
     * @param networkName the network this node is in
     * @return true if the signature checks out
     */
    public boolean verify(String networkName) {
        byte[] network;
        try {
            network = networkBytes(networkName);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int bodyBytes = encoded.length - SIGNATURE_BYTES;
        byte[] signature = Arrays.copyOfRange(encoded, bodyBytes, encoded.length);
        return peerId.verify(signedMessage(network, encoded, bodyBytes), signature);
    }

    private static byte[] networkBytes(String networkName) {
        Objects.requireNonNull(networkName, "networkName");
        byte[] network = networkName.getBytes(StandardCharsets.UTF_8);
        if (network.length > MAX_NETWORK_NAME_BYTES) {
            throw new IllegalArgumentException("a network name has at most " + MAX_NETWORK_NAME_BYTES + " UTF-8 bytes");
        }
        return network;
    }

    private static byte[] signedMessage(byte[] network, byte[] body, int bodyBytes) {
        ByteBuffer message = ByteBuffer.allocate(SIGNING_CONTEXT.length + 1 + network.length + bodyBytes);
        message.put(SIGNING_CONTEXT).put((byte) network.length).put(network).put(body, 0, bodyBytes);
        return message.array();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PeerRecord that && Arrays.equals(encoded, that.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "PeerRecord[" + peerId.shortForm() + " seq=" + Long.toUnsignedString(sequence) + " " + addresses + "]";
    }
}
