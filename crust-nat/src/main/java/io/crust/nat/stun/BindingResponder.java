package io.crust.nat.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The server side of a STUN Binding transaction as a pure function: a request datagram and its
 * sender in, the response and where to send it from and to out (RFC 8489 section 6.3, RFC 5780
 * section 6.1). No sockets, no clock.
 *
 * <p>Modern requests (with the magic cookie) get XOR-MAPPED-ADDRESS, RESPONSE-ORIGIN, and
 * OTHER-ADDRESS when the server has an alternate address, then FINGERPRINT. RFC 3489 requests get
 * MAPPED-ADDRESS, SOURCE-ADDRESS and CHANGED-ADDRESS, which classic clients such as
 * {@code stun-client} read. Anything that is not a well-formed Binding request is dropped
 * silently, as RFC 8489 section 6.3 asks: answering garbage would make us a reflector.
 */
public final class BindingResponder {

    /** What to send: {@code bytes} to {@code destination}, from the server socket bound to {@code origin}. */
    public record Reply(ByteBuffer bytes, InetSocketAddress origin, InetSocketAddress destination) {
    }

    /**
     * The addresses a server answers on. {@code alternateIp} null means one IP address;
     * {@code alternatePort} 0 means one port. RFC 5780 tests need both.
     */
    public record ServerAddresses(InetAddress primaryIp, int primaryPort, InetAddress alternateIp, int alternatePort) {
        public static ServerAddresses single(InetSocketAddress local) {
            return new ServerAddresses(local.getAddress(), local.getPort(), null, 0);
        }

        boolean canChangeIp() {
            return alternateIp != null;
        }

        boolean canChangePort() {
            return alternatePort != 0;
        }

        /** RFC 5780 OTHER-ADDRESS of a socket: the other IP and the other port, or null. */
        InetSocketAddress otherOf(InetSocketAddress local) {
            if (!canChangeIp() || !canChangePort()) {
                return null;
            }
            return new InetSocketAddress(flipIp(local.getAddress()), flipPort(local.getPort()));
        }

        InetAddress flipIp(InetAddress ip) {
            return ip.equals(primaryIp) ? alternateIp : primaryIp;
        }

        int flipPort(int port) {
            return port == primaryPort ? alternatePort : primaryPort;
        }
    }

    /** Comprehension-required attributes a Binding request may carry here. */
    private static final Set<Integer> UNDERSTOOD = Set.of(StunAttribute.CHANGE_REQUEST, StunAttribute.RESPONSE_PORT,
            StunAttribute.USERNAME, StunAttribute.MESSAGE_INTEGRITY, StunAttribute.PRIORITY,
            StunAttribute.USE_CANDIDATE, 0x0026 /* PADDING, RFC 5780 section 7.6: ignored */);

    private static final int CHANGE_IP = 0x04;
    private static final int CHANGE_PORT = 0x02;

    private BindingResponder() {
    }

    /**
     * Answers one datagram that arrived at {@code local} from {@code sender}.
     *
     * @return the reply, or empty when the datagram is not a Binding request worth answering
     */
    public static Optional<Reply> answer(ByteBuffer datagram, InetSocketAddress sender, InetSocketAddress local,
            ServerAddresses server) {
        if (!StunMessage.looksLikeStun(datagram)) {
            return Optional.empty();
        }
        StunMessage request;
        try {
            request = StunMessage.decode(datagram);
        } catch (StunFormatException e) {
            return Optional.empty();
        }
        if (request.type() != StunMessage.BINDING_REQUEST) {
            return Optional.empty();
        }
        if (request.hasFingerprint() && !request.fingerprintValid()) {
            return Optional.empty();
        }
        List<Integer> unknown = new ArrayList<>();
        for (StunAttribute a : request.attributes()) {
            if (a.comprehensionRequired() && !UNDERSTOOD.contains(a.type()) && !unknown.contains(a.type())) {
                unknown.add(a.type());
            }
        }
        if (!unknown.isEmpty()) {
            return Optional.of(error(request, 420, "Unknown Attribute", unknown, sender, local));
        }
        boolean changeIp = false;
        boolean changePort = false;
        byte[] change = request.attribute(StunAttribute.CHANGE_REQUEST);
        if (change != null) {
            if (change.length != 4) {
                return Optional.of(error(request, 400, "Bad Request: CHANGE-REQUEST must be 4 bytes", List.of(), sender,
                        local));
            }
            changeIp = (change[3] & CHANGE_IP) != 0;
            changePort = (change[3] & CHANGE_PORT) != 0;
            // RFC 5780 section 6.1: a server without the alternate address cannot honour the request.
            if ((changeIp && !server.canChangeIp()) || (changePort && !server.canChangePort())) {
                return Optional.of(error(request, 420, "Unknown Attribute", List.of(StunAttribute.CHANGE_REQUEST),
                        sender, local));
            }
        }
        InetSocketAddress destination = sender;
        byte[] responsePort = request.attribute(StunAttribute.RESPONSE_PORT);
        // RESPONSE-PORT belongs to RFC 5780 behaviour discovery: only a server with alternate
        // addresses honours it; a peer answering on its one shared socket ignores it.
        if (responsePort != null && server.canChangePort()) {
            if (responsePort.length != 4) {
                return Optional.of(error(request, 400, "Bad Request: RESPONSE-PORT must be 4 bytes", List.of(), sender,
                        local));
            }
            int port = ((responsePort[0] & 0xFF) << 8) | (responsePort[1] & 0xFF);
            if (port == 0) {
                return Optional.of(error(request, 400, "Bad Request: RESPONSE-PORT is 0", List.of(), sender, local));
            }
            destination = new InetSocketAddress(sender.getAddress(), port);
        }
        InetSocketAddress origin = new InetSocketAddress(
                changeIp ? server.flipIp(local.getAddress()) : local.getAddress(),
                changePort ? server.flipPort(local.getPort()) : local.getPort());
        byte[] id = request.cookieAndId();
        StunMessage.Builder response = StunMessage.builder(StunMessage.BINDING_SUCCESS, id);
        InetSocketAddress other = server.otherOf(local);
        boolean originKnown = !origin.getAddress().isAnyLocalAddress();
        if (request.hasMagicCookie()) {
            response.add(StunAttribute.XOR_MAPPED_ADDRESS, StunAddress.encodeXor(sender, id));
            if (originKnown) {
                response.add(StunAttribute.RESPONSE_ORIGIN, StunAddress.encode(origin));
            }
            if (other != null) {
                response.add(StunAttribute.OTHER_ADDRESS, StunAddress.encode(other));
            }
            return Optional.of(new Reply(response.encode(null, true), origin, destination));
        }
        response.add(StunAttribute.MAPPED_ADDRESS, StunAddress.encode(sender));
        if (originKnown) {
            response.add(StunAttribute.SOURCE_ADDRESS, StunAddress.encode(origin));
        }
        if (other != null) {
            response.add(StunAttribute.CHANGED_ADDRESS, StunAddress.encode(other));
        }
        return Optional.of(new Reply(response.encode(null, false), origin, destination));
    }

    /** ERROR-CODE value (RFC 8489 section 14.8): 21 reserved bits, class (3 bits), number, reason. */
    public static byte[] errorCode(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[4 + text.length];
        value[2] = (byte) (code / 100);
        value[3] = (byte) (code % 100);
        System.arraycopy(text, 0, value, 4, text.length);
        return value;
    }

    private static Reply error(StunMessage request, int code, String reason, List<Integer> unknown,
            InetSocketAddress sender, InetSocketAddress local) {
        StunMessage.Builder response = StunMessage.builder(StunMessage.BINDING_ERROR, request.cookieAndId())
                .add(StunAttribute.ERROR_CODE, errorCode(code, reason));
        if (!unknown.isEmpty()) {
            byte[] list = new byte[2 * unknown.size()];
            for (int i = 0; i < unknown.size(); i++) {
                list[2 * i] = (byte) (unknown.get(i) >>> 8);
                list[2 * i + 1] = (byte) (int) unknown.get(i);
            }
            response.add(StunAttribute.UNKNOWN_ATTRIBUTES, list);
        }
        return new Reply(response.encode(null, request.hasMagicCookie()), local, sender);
    }
}
