package io.crust.core.wire;

import io.crust.core.ConnectionInfo;
import io.crust.core.PeerId;
import io.crust.core.PeerRecord;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Binary and text forms of a {@link ConnectionInfo}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                peer id: Ed25519 public key (32 bytes)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  TCP count    |  UDP count    |  addresses (TCP first) ...    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * then one kind byte per address, TCP first (1 = the peer's own interface, 2 = reflexive: seen
 * from outside its NAT, 3 = a port mapping on its router), in the order of the addresses.
 *
 * Each address:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  IP version   |          port (1-65535)       |  IPv4 (4) or  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+               +
 * |                 IPv6 (16 bytes) address ...                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Counts are at most {@value ConnectionInfo#MAX_ADDRESSES} each; integers are big-endian. The text form is
 * {@code crust1:} followed by the binary form in base64url without padding (RFC 4648 section 5).
 */
public final class ConnectionInfoCodec {
    private static final String TEXT_PREFIX = "crust1:";
    /** Largest binary form: id, counts and 2 x 16 IPv6 addresses. */
    public static final int MAX_ENCODED_BYTES = PeerId.KEY_BYTES + 2 + 2 * ConnectionInfo.MAX_ADDRESSES * (19 + 1);

    private ConnectionInfoCodec() {
    }

    public static byte[] encode(ConnectionInfo info) {
        WireWriter w = new WireWriter(128);
        writeTo(w, info);
        return w.toByteArray();
    }

    static void writeTo(WireWriter w, ConnectionInfo info) {
        w.peerId(info.id()).u8(info.tcpAddresses().size()).u8(info.udpAddresses().size());
        info.tcpAddresses().forEach(w::address);
        info.udpAddresses().forEach(w::address);
        info.tcpKinds().forEach(k -> w.u8(k.code()));
        info.udpKinds().forEach(k -> w.u8(k.code()));
    }

    public static ConnectionInfo decode(byte[] bytes) throws WireFormatException {
        if (bytes.length > MAX_ENCODED_BYTES) {
            throw new WireFormatException("connection info of " + bytes.length + " bytes exceeds " + MAX_ENCODED_BYTES);
        }
        WireReader r = new WireReader(bytes);
        ConnectionInfo info = readFrom(r);
        r.end("connection info");
        return info;
    }

    static ConnectionInfo readFrom(WireReader r) throws WireFormatException {
        PeerId id = r.peerId("connection info peer id");
        int tcpCount = r.u8("TCP address count");
        int udpCount = r.u8("UDP address count");
        if (tcpCount > ConnectionInfo.MAX_ADDRESSES || udpCount > ConnectionInfo.MAX_ADDRESSES) {
            throw new WireFormatException("connection info has " + tcpCount + " TCP and " + udpCount
                    + " UDP addresses; at most " + ConnectionInfo.MAX_ADDRESSES + " each");
        }
        List<InetSocketAddress> tcp = new ArrayList<>(tcpCount);
        for (int i = 0; i < tcpCount; i++) {
            tcp.add(r.address("TCP address"));
        }
        List<InetSocketAddress> udp = new ArrayList<>(udpCount);
        for (int i = 0; i < udpCount; i++) {
            udp.add(r.address("UDP address"));
        }
        List<PeerRecord.Kind> tcpKinds = new ArrayList<>(tcpCount);
        for (int i = 0; i < tcpCount; i++) {
            tcpKinds.add(kind(r));
        }
        List<PeerRecord.Kind> udpKinds = new ArrayList<>(udpCount);
        for (int i = 0; i < udpCount; i++) {
            udpKinds.add(kind(r));
        }
        return new ConnectionInfo(id, tcp, udp, tcpKinds, udpKinds);
    }

    private static PeerRecord.Kind kind(WireReader r) throws WireFormatException {
        int code = r.u8("address kind");
        return PeerRecord.Kind.fromCode(code)
                .orElseThrow(() -> new WireFormatException("unknown address kind " + code));
    }

    public static String toText(ConnectionInfo info) {
        return TEXT_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(encode(info));
    }

    public static ConnectionInfo parseText(String text) {
        if (text == null || !text.strip().startsWith(TEXT_PREFIX)) {
            throw new IllegalArgumentException("connection info text must start with '" + TEXT_PREFIX + "'");
        }
        String body = text.strip().substring(TEXT_PREFIX.length());
        if (body.length() > MAX_ENCODED_BYTES * 4 / 3 + 4) {
            throw new IllegalArgumentException("connection info text is too long (" + body.length() + " characters)");
        }
        try {
            return decode(Base64.getUrlDecoder().decode(body));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connection info text is not base64url: " + e.getMessage(), e);
        } catch (WireFormatException e) {
            throw new IllegalArgumentException("connection info text is malformed: " + e.getMessage(), e);
        }
    }
}
