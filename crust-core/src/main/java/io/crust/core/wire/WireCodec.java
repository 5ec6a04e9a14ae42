package io.crust.core.wire;

import io.crust.core.ConnectionInfo;
import io.crust.core.PeerId;
import io.crust.core.Transport;
import io.crust.core.discovery.GossipMessage;
import java.net.InetSocketAddress;

/**
 * Encodes and decodes {@link WireMessage}s (layouts in its class comment). Decoding checks every
 * length against what is left and against the limits given to the constructor before allocating.
 */
public final class WireCodec {
    static final int HELLO = 0x01;
    static final int APP = 0x02;
    static final int HEARTBEAT = 0x03;
    static final int GOODBYE = 0x04;
    static final int RETIRE = 0x05;
    static final int GOSSIP = 0x06;
    static final int FORWARD = 0x07;
    static final int CONNECT_INFO = 0x08;
    static final int RELAY_OPEN = 0x09;
    static final int RELAY_DATA = 0x0A;
    static final int RELAY_CLOSE = 0x0B;
    static final int FORWARDED = 0x0C;
    static final int RELAY_INCOMING = 0x0D;
    static final int ACK = 0x0E;
    static final int RESUME = 0x0F;

    /** Bytes a wire message adds around an application payload or a relayed frame (type, circuit). */
    public static final int MAX_HEADER_BYTES = 5;
    /** Largest relayed frame. */
    public static final int MAX_RELAY_FRAME_BYTES = 65535 + 64;

    private final int maxAppBytes;

    /** A codec that accepts application payloads of at most {@code maxAppBytes}. */
    public WireCodec(int maxAppBytes) {
        this.maxAppBytes = maxAppBytes;
    }

    public byte[] encode(WireMessage message) {
        return switch (message) {
            case WireMessage.Hello h -> {
                WireWriter w = new WireWriter(160).u8(HELLO).u8(h.relays() ? 1 : 0);
                if (h.observedTransport() == null) {
                    w.u8(0);
                } else {
                    w.u8(h.observedTransport() == Transport.TCP ? 1 : 2).address(h.observedAddress());
                }
                ConnectionInfoCodec.writeTo(w, h.info());
                yield w.toByteArray();
            }
            case WireMessage.App a -> {
                byte[] out = new byte[1 + a.payload().length];
                out[0] = APP;
                System.arraycopy(a.payload(), 0, out, 1, a.payload().length);
                yield out;
            }
            case WireMessage.Heartbeat h -> new byte[] {HEARTBEAT};
            case WireMessage.Goodbye g -> new WireWriter(64).u8(GOODBYE).shortText(g.reason()).toByteArray();
            case WireMessage.Retire r -> new byte[] {RETIRE};
            case WireMessage.Gossip g -> new WireWriter(1 + g.body().length).u8(GOSSIP).bytes(g.body()).toByteArray();
            case WireMessage.Forward f -> new WireWriter(200).u8(f.delivered() ? FORWARDED : FORWARD).peerId(f.peer()).bytes(encode(f.inner())).toByteArray();
            case WireMessage.ConnectInfo c -> {
                WireWriter w = new WireWriter(400).u8(CONNECT_INFO).u8(c.reply() ? 1 : 0).i64(c.requestId());
                ConnectionInfoCodec.writeTo(w, c.info());
                byte[] offer = c.punchOffer().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (offer.length > WireMessage.ConnectInfo.MAX_OFFER_BYTES) {
                    throw new IllegalArgumentException("punch offer of " + offer.length + " bytes is too long");
                }
                yield w.u16(offer.length).bytes(offer).u16(c.tcpPunchPort()).toByteArray();
            }
            case WireMessage.RelayOpen o -> new WireWriter(40).u8(o.incoming() ? RELAY_INCOMING : RELAY_OPEN).i32(o.circuit()).peerId(o.peer()).toByteArray();
            case WireMessage.RelayData d -> {
                byte[] out = new byte[5 + d.frame().length];
                out[0] = RELAY_DATA;
                out[1] = (byte) (d.circuit() >>> 24);
                out[2] = (byte) (d.circuit() >>> 16);
                out[3] = (byte) (d.circuit() >>> 8);
                out[4] = (byte) d.circuit();
                System.arraycopy(d.frame(), 0, out, 5, d.frame().length);
                yield out;
            }
            case WireMessage.RelayClose c -> new WireWriter(64).u8(RELAY_CLOSE).i32(c.circuit()).shortText(c.reason()).toByteArray();
            case WireMessage.Ack a -> new WireWriter(9).u8(ACK).i64(a.delivered()).toByteArray();
            case WireMessage.Resume m -> new WireWriter(10).u8(RESUME).u8(m.accepted() ? 1 : 0).i64(m.delivered()).toByteArray();
        };
    }

    /**
     * Decodes one message.
     *
     * @throws WireFormatException.Oversized if an APP payload exceeds the limit
     * @throws WireFormatException if the message is malformed in any other way
     */
    public WireMessage decode(byte[] bytes) throws WireFormatException {
        WireReader r = new WireReader(bytes);
        int type = r.u8("message type");
        WireMessage message = switch (type) {
            case HELLO -> {
                int flags = r.u8("hello flags");
                int observed = r.u8("observed transport");
                Transport transport = switch (observed) {
                    case 0 -> null;
                    case 1 -> Transport.TCP;
                    case 2 -> Transport.UDT;
                    default -> throw new WireFormatException("hello has observed transport " + observed);
                };
                InetSocketAddress address = transport == null ? null : r.address("observed address");
                yield new WireMessage.Hello((flags & 1) != 0, transport, address, ConnectionInfoCodec.readFrom(r));
            }
            case APP -> {
                if (r.remaining() > maxAppBytes) {
                    throw new WireFormatException.Oversized("application message of " + r.remaining() + " bytes exceeds the limit of " + maxAppBytes);
                }
                yield new WireMessage.App(r.rest());
            }
            case HEARTBEAT -> new WireMessage.Heartbeat();
            case GOODBYE -> new WireMessage.Goodbye(r.shortText("goodbye reason"));
            case RETIRE -> new WireMessage.Retire();
            case GOSSIP -> {
                if (r.remaining() > GossipMessage.MAX_ENCODED_BYTES) {
                    throw new WireFormatException("gossip of " + r.remaining() + " bytes; at most " + GossipMessage.MAX_ENCODED_BYTES);
                }
                yield new WireMessage.Gossip(r.rest());
            }
            case FORWARD, FORWARDED -> {
                PeerId peer = r.peerId("forward peer id");
                if (r.u8("forwarded message type") != CONNECT_INFO) {
                    throw new WireFormatException("only CONNECT_INFO may be forwarded");
                }
                yield new WireMessage.Forward(type == FORWARDED, peer, readConnectInfo(r));
            }
            case CONNECT_INFO -> readConnectInfo(r);
            case RELAY_OPEN, RELAY_INCOMING -> new WireMessage.RelayOpen(type == RELAY_INCOMING, r.i32("circuit id"), r.peerId("relay peer id"));
            case RELAY_DATA -> {
                int circuit = r.i32("circuit id");
                if (r.remaining() > MAX_RELAY_FRAME_BYTES) {
                    throw new WireFormatException("relayed frame of " + r.remaining() + " bytes; at most " + MAX_RELAY_FRAME_BYTES);
                }
                yield new WireMessage.RelayData(circuit, r.rest());
            }
            case RELAY_CLOSE -> new WireMessage.RelayClose(r.i32("circuit id"), r.shortText("relay close reason"));
            case ACK -> new WireMessage.Ack(count(r, "acknowledged count"));
            case RESUME -> {
                int accepted = r.u8("resume accepted flag");
                long delivered = count(r, "resumed count");
                if (accepted > 1 || (accepted == 0 && delivered != 0)) {
                    throw new WireFormatException("resume answer has flag " + accepted + " and count " + delivered);
                }
                yield new WireMessage.Resume(accepted == 1, delivered);
            }
            default -> throw new WireFormatException("unknown message type 0x" + Integer.toHexString(type));
        };
        r.end("message type 0x" + Integer.toHexString(type));
        return message;
    }

    /** A message count: never negative. */
    private static long count(WireReader r, String what) throws WireFormatException {
        long count = r.i64(what);
        if (count < 0) {
            throw new WireFormatException(what + " is negative: " + count);
        }
        return count;
    }

    /** True if {@code encoded} is an APP message (the queue tells application messages from the rest by it). */
    public static boolean isApp(byte[] encoded) {
        return encoded.length > 0 && encoded[0] == APP;
    }

    private static WireMessage.ConnectInfo readConnectInfo(WireReader r) throws WireFormatException {
        int reply = r.u8("connect info reply flag");
        if (reply > 1) {
            throw new WireFormatException("connect info reply flag is " + reply);
        }
        long requestId = r.i64("request id");
        ConnectionInfo info = ConnectionInfoCodec.readFrom(r);
        int offerBytes = r.u16("punch offer length");
        if (offerBytes > WireMessage.ConnectInfo.MAX_OFFER_BYTES) {
            throw new WireFormatException("punch offer of " + offerBytes + " bytes; at most " + WireMessage.ConnectInfo.MAX_OFFER_BYTES);
        }
        String offer = r.utf8(offerBytes, "punch offer");
        int tcpPunchPort = r.u16("TCP punch port");
        return new WireMessage.ConnectInfo(reply == 1, requestId, info, offer, tcpPunchPort);
    }
}
